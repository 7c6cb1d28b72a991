/** Immutable configuration records and the single loader that validates them. */
@NullMarked
package dev.gitward.config;

import org.jspecify.annotations.NullMarked;
