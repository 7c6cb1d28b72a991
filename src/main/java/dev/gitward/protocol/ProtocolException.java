package dev.gitward.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Malformed or unacceptable git wire data. The message is one line of printable ASCII in the form
 * {@code name: value (expected: ...)}, safe to show to the client, and the value in it is shortened
 * to at most 80 characters.
 */
public final class ProtocolException extends Exception {
  static final int MAX_VALUE_LENGTH = 80;

  /**
   * Creates an exception for a bad value.
   *
   * @param name what the value is, such as {@code command} or {@code pkt-line length}
   * @param value the bad value as received; it is escaped and shortened
   * @param expected what a valid value looks like
   */
  public ProtocolException(String name, String value, String expected) {
    this(name, value.getBytes(StandardCharsets.UTF_8), expected);
  }

  /** Creates an exception for a bad value given as raw bytes. */
  public ProtocolException(String name, byte[] value, String expected) {
    super(printable(name) + ": " + describe(value) + " (expected: " + printable(expected) + ")");
  }

  /**
   * Returns {@code value} with bytes outside printable ASCII written as {@code \xNN}, cut at {@link
   * #MAX_VALUE_LENGTH} characters with {@code ...} marking the cut.
   */
  static String describe(byte[] value) {
    StringBuilder text = new StringBuilder();
    for (byte b : value) {
      String next = escape(b & 0xff);
      if (text.length() + next.length() > MAX_VALUE_LENGTH - 3) {
        return text.append("...").toString();
      }
      text.append(next);
    }
    return text.toString();
  }

  private static String escape(int b) {
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      return String.valueOf((char) b);
    }
    return String.format("\\x%02x", b);
  }

  private static String printable(String text) {
    StringBuilder result = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      result.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return result.toString();
  }
}
