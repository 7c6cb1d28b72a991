package dev.gitward.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The chunked framing follower: on every valid body it ends exactly at the body's last byte, in
 * whatever pieces the bytes arrive, and on every other input it stops with a problem or waits for
 * more, without an exception.
 */
class ChunkFramingTest {
  private static final int MAX_TRAILER_BYTES = 256;
  private static final int MAX_TRAILER_FIELDS = 4;

  /** One chunked body: the chunk sizes, an extension per chunk, and the trailer fields. */
  record Body(List<Integer> sizes, List<String> extensions, List<String> trailers) {
    byte[] encode() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < sizes.size(); i++) {
        write(out, Integer.toHexString(sizes.get(i)) + extensions.get(i) + "\r\n");
        write(out, "x".repeat(sizes.get(i)) + "\r\n");
      }
      write(out, "0\r\n");
      trailers.forEach(field -> write(out, field + "\r\n"));
      write(out, "\r\n");
      return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String text) {
      out.writeBytes(text.getBytes(ISO_8859_1));
    }
  }

  @Provide
  Arbitrary<Body> bodies() {
    Arbitrary<List<Integer>> sizes = Arbitraries.integers().between(1, 5000).list().ofMaxSize(6);
    Arbitrary<String> extension = Arbitraries.of("", ";a", ";name=value", " ;a=\"b c\"", "\t;x");
    Arbitrary<String> trailer = Arbitraries.of("X-A: b", "Checksum:abc", "k: v\tw", "e:");
    return sizes.flatMap(
        list ->
            Combinators.combine(extension.list().ofSize(list.size()), trailer.list().ofMaxSize(3))
                .as((extensions, trailers) -> new Body(list, extensions, trailers)));
  }

  @Property(tries = 300)
  void validBody_endsAtItsLastByte(
      @ForAll("bodies") Body body,
      @ForAll @IntRange(min = 1, max = 64) int pieceSize,
      @ForAll @IntRange(min = 0, max = 20) int pipelined) {
    byte[] encoded = body.encode();
    byte[] stream = new byte[encoded.length + pipelined];
    System.arraycopy(encoded, 0, stream, 0, encoded.length);
    ChunkFraming framing = new ChunkFraming(MAX_TRAILER_BYTES, MAX_TRAILER_FIELDS);
    for (int offset = 0; offset < stream.length; offset += pieceSize) {
      assertEquals(
          offset >= encoded.length,
          framing.finished(),
          "finished before offset " + offset + " of a body of " + encoded.length);
      int length = Math.min(pieceSize, stream.length - offset);
      assertTrue(framing.accept(ByteBuffer.wrap(stream, offset, length)), framing.problem());
    }
    assertTrue(framing.finished(), "not finished after " + stream.length + " bytes");
    assertNull(framing.problem());
  }

  @Property(tries = 300)
  void validBody_notFinishedBeforeLastByte(@ForAll("bodies") Body body) {
    byte[] encoded = body.encode();
    ChunkFraming framing = new ChunkFraming(MAX_TRAILER_BYTES, MAX_TRAILER_FIELDS);
    for (int i = 0; i < encoded.length; i++) {
      assertFalse(framing.finished(), "finished before byte " + i + " of " + encoded.length);
      assertTrue(framing.accept(ByteBuffer.wrap(encoded, i, 1)), framing.problem());
    }
    assertTrue(framing.finished());
  }

  @Property(tries = 500)
  void mutatedBody_failsOrWaitsWithoutException(
      @ForAll("bodies") Body body,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll byte replacement) {
    byte[] encoded = body.encode();
    encoded[position % encoded.length] = replacement;
    ChunkFraming framing = new ChunkFraming(MAX_TRAILER_BYTES, MAX_TRAILER_FIELDS);
    boolean valid = framing.accept(ByteBuffer.wrap(encoded));
    assertEquals(valid, framing.problem() == null);
    if (!valid) {
      assertFalse(framing.finished());
      assertFalse(framing.accept(ByteBuffer.wrap(new byte[] {'\r', '\n'})), "failed is final");
    }
  }

  @Test
  void bufferPositionAndLimit_unchanged() {
    ByteBuffer bytes = ByteBuffer.wrap("4\r\nabcd\r\n0\r\n\r\n".getBytes(ISO_8859_1));
    ChunkFraming framing = new ChunkFraming(MAX_TRAILER_BYTES, MAX_TRAILER_FIELDS);
    assertTrue(framing.accept(bytes));
    assertEquals(0, bytes.position());
    assertEquals(bytes.capacity(), bytes.limit());
    assertTrue(framing.finished());
  }

  @Test
  void trailerSectionOverLimit_namesTheKey() {
    String problem = problemOf("0\r\nX-Pad: " + "a".repeat(MAX_TRAILER_BYTES) + "\r\n\r\n");
    assertNotNull(problem);
    assertTrue(problem.contains("limits.header-block"), problem);
  }

  @Test
  void trailerFieldsOverLimit_namesTheKey() {
    String problem = problemOf("0\r\n" + "a: b\r\n".repeat(MAX_TRAILER_FIELDS + 1) + "\r\n");
    assertNotNull(problem);
    assertTrue(problem.contains("limits.header-count"), problem);
  }

  @Test
  void trailerFieldsAtLimit_accepted() {
    assertNull(problemOf("0\r\n" + "a: b\r\n".repeat(MAX_TRAILER_FIELDS) + "\r\n"));
  }

  @Test
  void sizeLineOverLimit_rejected() {
    String problem =
        problemOf("1;" + "e".repeat(ChunkFraming.MAX_SIZE_LINE) + "\r\nx\r\n0\r\n\r\n");
    assertNotNull(problem);
    assertTrue(problem.contains("chunk-size line over"), problem);
  }

  @Test
  void sixteenHexDigits_rejected() {
    assertNotNull(problemOf("1000000000000000\r\n"));
  }

  @Test
  void fourteenHexDigits_accepted() {
    assertNull(problemOf("ffffffffffffff\r\nabc"));
  }

  /** 2^58 is the flag with which Undertow's ChunkReader marks the last chunk as read. */
  @Test
  void fifteenHexDigits_rejected() {
    String problem = problemOf("400000000000000\r\nabc");
    assertNotNull(problem);
    assertTrue(problem.contains("more than 14 hex digits"), problem);
  }

  @Test
  void leadingZerosInSize_notCounted() {
    assertNull(problemOf("0".repeat(30) + "4\r\nabcd\r\n0\r\n\r\n"));
  }

  @Test
  void upperCaseHexSize_accepted() {
    assertNull(problemOf("A\r\n0123456789\r\n0\r\n\r\n"));
  }

  @Test
  void dataLongerThanSize_rejected() {
    String problem = problemOf("2\r\nabc\r\n0\r\n\r\n");
    assertNotNull(problem);
    assertTrue(problem.contains("longer than its chunk size"), problem);
  }

  @Test
  void bareLineFeedAfterSize_rejected() {
    assertNotNull(problemOf("2\nab\r\n0\r\n\r\n"));
  }

  @Test
  void controlCharacterInExtension_rejected() {
    assertNotNull(problemOf("2;a\u0000\r\nab\r\n0\r\n\r\n"));
  }

  @Test
  void emptyTrailerName_rejected() {
    assertNotNull(problemOf("0\r\n: v\r\n\r\n"));
  }

  private static String problemOf(String text) {
    ChunkFraming framing = new ChunkFraming(MAX_TRAILER_BYTES, MAX_TRAILER_FIELDS);
    framing.accept(ByteBuffer.wrap(text.getBytes(ISO_8859_1)));
    return framing.problem();
  }
}
