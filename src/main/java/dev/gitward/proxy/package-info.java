/**
 * The proxy's request path: the strict grammar of git smart-HTTP URLs, credential extraction, and
 * the fetch and push handlers that decide with the token's grants and then forward.
 */
@NullMarked
package dev.gitward.proxy;

import org.jspecify.annotations.NullMarked;
