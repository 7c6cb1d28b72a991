package dev.gitward.server;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Follows the framing of a chunked request body byte by byte, in parallel with Undertow's decoder,
 * and reports the first violation of a strict reading of RFC 9112 section 7.1 or of a size limit.
 *
 * <p>Undertow 2.3 decodes the body itself, but it skips any bytes up to a line feed after chunk
 * data and after a chunk size, accepts bare line feeds, and appends trailer fields to a buffer
 * without a bound. This class rejects all of those, so that the decoder only ever receives a body
 * whose framing is unambiguous and whose trailer section is small. On every body it accepts, it
 * ends at the same byte as Undertow's decoder.
 *
 * <p>Not thread-safe: one instance follows one request body.
 */
final class ChunkFraming {
  /** The maximum length of a chunk-size line, chunk extensions and CRLF included. */
  static final int MAX_SIZE_LINE = 4096;

  /**
   * The maximum number of significant hex digits in a chunk size, which keeps the size below 2^56.
   * Undertow 2.3's ChunkReader stores the size in bits 0 to 56 of the long that also contains its
   * parser flags, so a size of 2^57 or more loses its top bits or sets a flag, such as the one that
   * ends the body early. Leading zeros do not count.
   */
  private static final int MAX_SIZE_DIGITS = 14;

  private enum State {
    SIZE,
    SIZE_SPACE,
    EXTENSION,
    SIZE_LF,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER_START,
    TRAILER_NAME,
    TRAILER_VALUE,
    TRAILER_LF,
    END_LF,
    DONE,
    FAILED
  }

  private final int maxTrailerBytes;
  private final int maxTrailerFields;

  private State state = State.SIZE;
  private int digits;
  private int significantDigits;
  private long size;
  private int sizeLineBytes;
  private int nameLength;
  private long remaining;
  private int trailerBytes;
  private int trailerFields;
  private @Nullable String problem;

  /**
   * @param maxTrailerBytes the maximum size of the trailer section, its final empty line excluded
   * @param maxTrailerFields the maximum number of trailer fields
   */
  ChunkFraming(int maxTrailerBytes, int maxTrailerFields) {
    this.maxTrailerBytes = maxTrailerBytes;
    this.maxTrailerFields = maxTrailerFields;
  }

  /** Returns whether the last chunk and the trailer section have been read completely. */
  boolean finished() {
    return state == State.DONE;
  }

  /** Returns the first framing problem found, or null while the framing is valid. */
  @Nullable String problem() {
    return problem;
  }

  /**
   * Follows the bytes from {@code bytes}' position to its limit, without moving either. Bytes after
   * the end of the body, such as the start of a pipelined request, are not inspected.
   *
   * @return whether the framing is still valid
   */
  boolean accept(ByteBuffer bytes) {
    for (int i = bytes.position(); i < bytes.limit() && state != State.DONE; i++) {
      if (state == State.FAILED) {
        return false;
      }
      if (state == State.DATA) {
        long skip = Math.min(remaining, bytes.limit() - i);
        remaining -= skip;
        i += (int) skip - 1;
        if (remaining == 0) {
          state = State.DATA_CR;
        }
        continue;
      }
      next(bytes.get(i) & 0xff);
    }
    return state != State.FAILED;
  }

  private void next(int b) {
    switch (state) {
      case SIZE -> sizeLine(b);
      case SIZE_SPACE -> sizeSpace(b);
      case EXTENSION -> extension(b);
      case SIZE_LF -> {
        if (expect(b, '\n', "chunk-size line without its line feed")) {
          endSizeLine();
        }
      }
      case DATA_CR -> {
        if (expect(b, '\r', "chunk data longer than its chunk size")) {
          state = State.DATA_LF;
        }
      }
      case DATA_LF -> {
        if (expect(b, '\n', "chunk data without CRLF after it")) {
          startSizeLine();
        }
      }
      case TRAILER_START -> trailerStart(b);
      case TRAILER_NAME -> trailerName(b);
      case TRAILER_VALUE -> trailerValue(b);
      case TRAILER_LF -> {
        if (expect(b, '\n', "trailer field without its line feed")) {
          state = State.TRAILER_START;
        }
      }
      case END_LF -> {
        if (expect(b, '\n', "last chunk without its final line feed")) {
          state = State.DONE;
        }
      }
      default -> throw new IllegalStateException("state: " + state);
    }
  }

  private void sizeLine(int b) {
    if (!countSizeLineByte()) {
      return;
    }
    int digit = hexDigit(b);
    if (digit >= 0) {
      digits++;
      if ((size > 0 || digit > 0) && ++significantDigits > MAX_SIZE_DIGITS) {
        fail("chunk size of more than " + MAX_SIZE_DIGITS + " hex digits");
        return;
      }
      size = size << 4 | digit;
    } else if (digits == 0) {
      fail("chunk-size line starting with " + describe(b) + " (expected: a hex digit)");
    } else if (b == '\r') {
      state = State.SIZE_LF;
    } else if (b == ';') {
      state = State.EXTENSION;
    } else if (b == ' ' || b == '\t') {
      state = State.SIZE_SPACE;
    } else {
      fail("chunk size followed by " + describe(b) + " (expected: CRLF or a chunk extension)");
    }
  }

  /** Accepts the optional white space between a chunk size and the ';' of an extension. */
  private void sizeSpace(int b) {
    if (!countSizeLineByte()) {
      return;
    }
    if (b == ';') {
      state = State.EXTENSION;
    } else if (b != ' ' && b != '\t') {
      fail("chunk size followed by " + describe(b) + " (expected: CRLF or a chunk extension)");
    }
  }

  private void extension(int b) {
    if (!countSizeLineByte()) {
      return;
    }
    if (b == '\r') {
      state = State.SIZE_LF;
    } else if (isControl(b)) {
      fail("chunk extension containing " + describe(b) + " (expected: visible characters)");
    }
  }

  private boolean countSizeLineByte() {
    if (++sizeLineBytes > MAX_SIZE_LINE) {
      fail("chunk-size line over " + MAX_SIZE_LINE + " bytes");
      return false;
    }
    return true;
  }

  private void endSizeLine() {
    if (size == 0) {
      state = State.TRAILER_START;
    } else {
      remaining = size;
      state = State.DATA;
    }
  }

  private void startSizeLine() {
    state = State.SIZE;
    digits = 0;
    significantDigits = 0;
    size = 0;
    sizeLineBytes = 0;
  }

  private void trailerStart(int b) {
    if (b == '\r') {
      state = State.END_LF;
      return;
    }
    if (++trailerFields > maxTrailerFields) {
      fail(
          "trailer section with more than "
              + maxTrailerFields
              + " fields (limits.header-count; git sends no trailers)");
      return;
    }
    state = State.TRAILER_NAME;
    nameLength = 0;
    trailerName(b);
  }

  private void trailerName(int b) {
    if (!countTrailerByte()) {
      return;
    }
    if (b == ':' && nameLength > 0) {
      state = State.TRAILER_VALUE;
    } else if (isTokenChar(b)) {
      nameLength++;
    } else {
      fail("trailer field name containing " + describe(b) + " (expected: name: value CRLF)");
    }
  }

  private void trailerValue(int b) {
    if (!countTrailerByte()) {
      return;
    }
    if (b == '\r') {
      state = State.TRAILER_LF;
    } else if (isControl(b)) {
      fail("trailer field value containing " + describe(b) + " (expected: visible characters)");
    }
  }

  private boolean countTrailerByte() {
    if (++trailerBytes > maxTrailerBytes) {
      fail(
          "trailer section over "
              + maxTrailerBytes
              + " bytes (limits.header-block; git sends no trailers)");
      return false;
    }
    return true;
  }

  private boolean expect(int b, char expected, String problem) {
    if (b == expected) {
      return true;
    }
    fail(problem + ": found " + describe(b));
    return false;
  }

  private void fail(String problem) {
    this.problem = "invalid chunked body: " + problem;
    state = State.FAILED;
  }

  private static int hexDigit(int b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  /** Returns whether {@code b} is a control character other than horizontal tab. */
  private static boolean isControl(int b) {
    return (b < 0x20 && b != '\t') || b == 0x7f;
  }

  /** Returns whether {@code b} is a {@code tchar} of RFC 9110 section 5.6.2. */
  private static boolean isTokenChar(int b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }

  private static String describe(int b) {
    return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b);
  }
}
