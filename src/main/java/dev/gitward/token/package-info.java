/**
 * Task tokens: verification and minting with nimbus-jose-jwt, the signing key ring, the cache of
 * verified tokens and revocations.
 */
@NullMarked
package dev.gitward.token;

import org.jspecify.annotations.NullMarked;
