/**
 * The audit log: one hash-chained JSON line per git request, written by a single thread from a
 * bounded queue, and the verifier that checks a log file's chain.
 */
@NullMarked
package dev.gitward.audit;

import org.jspecify.annotations.NullMarked;
