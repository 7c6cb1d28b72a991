package dev.gitward.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The position of the next line in a hash chain: its sequence number and the SHA-256 of the line
 * before it. Each line's {@code prev_hash} is the hash of the previous line's bytes without the
 * newline, so changing, removing or moving any line but the last breaks the chain at the line after
 * it.
 *
 * @param nextSeq the {@code seq} of the next line
 * @param prevHash the SHA-256 (lowercase hex) of the last line written
 */
record AuditChain(long nextSeq, String prevHash) {
  /** The {@code prev_hash} of the first line of a file. */
  static final String GENESIS = "0".repeat(64);

  /** Serializes events in their declared field order, with non-ASCII characters escaped. */
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  /** Returns the position at the start of a new file. */
  static AuditChain start() {
    return new AuditChain(1, GENESIS);
  }

  /** Returns the position after {@code line}, the bytes of a line with sequence number seq. */
  static AuditChain after(long seq, byte[] line) {
    return new AuditChain(seq + 1, sha256(line));
  }

  /** Returns the canonical bytes of {@code event} placed at this position, without a newline. */
  byte[] encode(AuditEvent event) {
    return canonical(event.chained(nextSeq, prevHash));
  }

  /** Returns the canonical bytes of a record, without a newline. */
  static byte[] canonical(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("audit record cannot be serialized: " + e.getMessage(), e);
    }
  }

  /** Returns the SHA-256 of {@code bytes} in lowercase hex. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
