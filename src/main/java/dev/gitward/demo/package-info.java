/**
 * The embedded Git host that {@code gitward demo} runs: JGit's smart HTTP server on 127.0.0.1,
 * serving bare repositories from one folder with anonymous fetch and push, and a generator for a
 * small sample repository, so the proxy can be tried without a real Git host or credentials.
 */
@NullMarked
package dev.gitward.demo;

import org.jspecify.annotations.NullMarked;
