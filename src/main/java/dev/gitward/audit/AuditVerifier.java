package dev.gitward.audit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Checks the hash chain of an audit file line by line and stops at the first broken line. A line is
 * broken when its {@code seq} is not the previous one plus 1, when its {@code prev_hash} is not the
 * SHA-256 of the previous line, or when it is not in canonical form. A torn line passes only when a
 * {@code chain-restart} line that names its hash follows it.
 *
 * <p>NOTE: a change to the last line, or its removal, leaves no trace in the file itself, so
 * compare {@link Result#headHash} with a copy kept elsewhere.
 */
public final class AuditVerifier {
  private static final ObjectReader EVENTS =
      AuditChain.JSON
          .readerFor(AuditEvent.class)
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final ObjectReader RESTARTS =
      AuditChain.JSON
          .readerFor(ChainRestart.class)
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private long lineNumber;
  private long events;
  private long restarts;
  private long expectedSeq = 1;
  private String expectedPrevHash = AuditChain.GENESIS;
  private @Nullable Torn torn;

  private AuditVerifier() {}

  /**
   * The outcome of a verification.
   *
   * @param lines the number of lines read
   * @param events the number of request events among them
   * @param restarts the number of chain-restart lines, each after one torn line
   * @param broken the first broken line, or empty when the chain is intact
   * @param headHash the SHA-256 of the last line, the value the next line's prev_hash must have
   */
  public record Result(
      long lines, long events, long restarts, Optional<Broken> broken, String headHash) {}

  /** The first line that breaks the chain, counted from 1, and why. */
  public record Broken(long line, String reason) {}

  private record Torn(long line, byte[] bytes) {}

  /** Verifies {@code file}. */
  public static Result verify(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return new AuditVerifier().run(in);
    }
  }

  private Result run(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b != '\n') {
        line.write(b);
        continue;
      }
      Optional<Broken> broken = check(line.toByteArray());
      if (broken.isPresent()) {
        return result(broken);
      }
      line.reset();
    }
    if (line.size() > 0) {
      lineNumber++;
      return result(
          Optional.of(
              new Broken(
                  lineNumber,
                  "no newline at the end, so the line is incomplete (Gitward records it as torn"
                      + " when it starts next)")));
    }
    if (torn != null) {
      return result(Optional.of(notARecord(torn.line())));
    }
    return result(Optional.empty());
  }

  private Result result(Optional<Broken> broken) {
    return new Result(lineNumber, events, restarts, broken, expectedPrevHash);
  }

  private Optional<Broken> check(byte[] line) {
    lineNumber++;
    Optional<Long> seq = AuditLog.chainedSeq(line);
    if (seq.isEmpty()) {
      if (torn != null) {
        return Optional.of(notARecord(torn.line()));
      }
      torn = new Torn(lineNumber, line);
      return Optional.empty();
    }
    return isRestart(line) ? checkRestart(line, seq.get()) : checkEvent(line, seq.get());
  }

  private static boolean isRestart(byte[] line) {
    try {
      return ChainRestart.EVENT.equals(AuditChain.JSON.readTree(line).path("event").asText(null));
    } catch (IOException e) {
      return false;
    }
  }

  private Optional<Broken> checkRestart(byte[] line, long seq) {
    Torn before = torn;
    if (before == null) {
      return broken("a chain-restart line, but the line before it is a valid record");
    }
    if (seq != 1) {
      return broken("seq " + seq + " on a chain-restart line (expected: 1)");
    }
    String tornHash = AuditChain.sha256(before.bytes());
    Optional<Broken> problem =
        checkLink(line, RESTARTS, tornHash, "the torn line " + before.line());
    if (problem.isPresent()) {
      return problem;
    }
    torn = null;
    restarts++;
    advance(1, line);
    return Optional.empty();
  }

  private Optional<Broken> checkEvent(byte[] line, long seq) {
    if (torn != null) {
      return Optional.of(notARecord(torn.line()));
    }
    if (seq != expectedSeq) {
      return broken(
          "seq "
              + seq
              + " (expected: "
              + expectedSeq
              + "), so a line before it was removed or lines were reordered");
    }
    Optional<Broken> problem =
        checkLink(line, EVENTS, expectedPrevHash, "line " + (lineNumber - 1));
    if (problem.isPresent()) {
      return problem;
    }
    events++;
    advance(seq, line);
    return Optional.empty();
  }

  /** Checks that {@code line} is canonical and that its prev_hash is {@code prevHash}. */
  private Optional<Broken> checkLink(
      byte[] line, ObjectReader reader, String prevHash, String previous) {
    Object record;
    try {
      record = reader.readValue(line);
    } catch (IOException e) {
      return broken("not a valid audit record (" + firstLine(e.getMessage()) + ")");
    }
    JsonNode node;
    try {
      node = AuditChain.JSON.readTree(line);
    } catch (IOException e) {
      return broken("not JSON");
    }
    if (!node.path("prev_hash").asText().equals(prevHash)) {
      return broken(
          "prev_hash does not match the SHA-256 of "
              + previous
              + ", so "
              + previous
              + " was changed or a line between them was removed");
    }
    if (!Arrays.equals(AuditChain.canonical(record), line)) {
      return broken(
          "not in canonical form (fields, order or spacing differ from what Gitward writes)");
    }
    return Optional.empty();
  }

  private void advance(long seq, byte[] line) {
    AuditChain next = AuditChain.after(seq, line);
    expectedSeq = next.nextSeq();
    expectedPrevHash = next.prevHash();
  }

  private Optional<Broken> broken(String reason) {
    return Optional.of(new Broken(lineNumber, reason));
  }

  private static Broken notARecord(long line) {
    return new Broken(
        line, "not an audit record, and no chain-restart line follows it (edited or torn)");
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
