/**
 * Git smart-HTTP wire formats: strict pkt-line reading and writing, the receive-pack request
 * parser, report-status and side-band output, advertisement rewriting and protocol v2 commands. It
 * describes requests and decides nothing.
 */
@NullMarked
package dev.gitward.protocol;

import org.jspecify.annotations.NullMarked;
