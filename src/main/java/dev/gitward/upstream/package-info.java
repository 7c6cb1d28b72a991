/**
 * The upstream side: URLs built from parsed request parts, credential sources, and the forwarding
 * client with its timeouts, TLS trust and error mapping.
 */
@NullMarked
package dev.gitward.upstream;

import org.jspecify.annotations.NullMarked;
