/**
 * The admin API on its own listener: minting and revoking task tokens, the public keys, and the git
 * configuration that a sandbox needs.
 */
@NullMarked
package dev.gitward.admin;

import org.jspecify.annotations.NullMarked;
