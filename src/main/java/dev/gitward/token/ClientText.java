package dev.gitward.token;

/**
 * Makes untrusted text from a token safe to put into a one-line rejection message: printable ASCII
 * only and a bounded length.
 */
final class ClientText {
  /** Maximum characters of one quoted value, such as a {@code kid} or a claim. */
  static final int MAX_VALUE_CHARS = 64;

  /** Maximum characters of a whole rejection message. */
  static final int MAX_MESSAGE_CHARS = 400;

  private ClientText() {}

  /** Returns {@code value} with characters outside printable ASCII as {@code ?}, truncated. */
  static String quote(String value) {
    return clean(value, MAX_VALUE_CHARS);
  }

  /** Returns {@code message} as one line of printable ASCII, truncated. */
  static String line(String message) {
    return clean(message, MAX_MESSAGE_CHARS);
  }

  /** Returns whether every character of {@code value} is printable ASCII other than space. */
  static boolean isVisibleAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static String clean(String text, int maxChars) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars + 3));
    for (int i = 0; i < text.length() && i < maxChars; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c <= 0x7e ? c : '?');
    }
    if (text.length() > maxChars) {
      out.append("...");
    }
    return out.toString();
  }
}
