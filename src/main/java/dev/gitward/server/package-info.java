/**
 * Undertow bootstrap: the proxy and admin listeners and their options, the one place that fixes
 * handler order, and graceful shutdown.
 */
@NullMarked
package dev.gitward.server;

import org.jspecify.annotations.NullMarked;
