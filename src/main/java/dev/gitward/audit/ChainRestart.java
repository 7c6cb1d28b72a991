package dev.gitward.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The first line of a new chain segment, written at start when the audit file ended with a torn
 * line: a line cut off by a crash or a full disk. It keeps the torn line in the chain, because its
 * {@code prev_hash} is the SHA-256 of the torn line's bytes.
 *
 * @param time when the writer started the segment
 * @param event always {@code chain-restart}; request events have no {@code event} field
 * @param tornBytes the length of the torn line in bytes
 * @param seq always 1, because numbering restarts with the segment
 * @param prevHash the SHA-256 (lowercase hex) of the torn line's bytes
 */
@JsonPropertyOrder({"time", "event", "torn_bytes", "seq", "prev_hash"})
record ChainRestart(
    @JsonProperty("time") String time,
    @JsonProperty("event") String event,
    @JsonProperty("torn_bytes") long tornBytes,
    @JsonProperty("seq") long seq,
    @JsonProperty("prev_hash") String prevHash) {
  static final String EVENT = "chain-restart";
}
