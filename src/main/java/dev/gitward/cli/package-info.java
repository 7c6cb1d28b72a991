/** The {@code gitward} command line: serve, demo, keygen, mint and check-config. */
@NullMarked
package dev.gitward.cli;

import org.jspecify.annotations.NullMarked;
