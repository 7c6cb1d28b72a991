package dev.gitward.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds pkt-line test vectors and loads the captured ones. */
final class Wire {
  static final String ZERO = "0".repeat(40);
  static final String A = "a".repeat(40);
  static final String B = "b".repeat(40);

  private Wire() {}

  /** Returns {@code text} framed as one pkt-line; the text is ISO-8859-1, one byte a char. */
  static String pkt(String text) {
    return String.format("%04x", text.length() + 4) + text;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  static InputStream stream(String text) {
    return new ByteArrayInputStream(bytes(text));
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** Loads a vector captured from git 2.39.5 by {@code capture-vectors.sh}. */
  static byte[] captured(String name) {
    try (InputStream in = Wire.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource: " + name + " (expected: present)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
