package dev.gitward.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A git object id as lowercase hex: 40 digits for SHA-1 repositories, 64 for SHA-256 ones.
 *
 * @param hex the lowercase hex digits
 */
public record GitObjectId(String hex) {
  /** Number of hex digits in a SHA-1 object id. */
  public static final int SHA1_HEX_LENGTH = 40;

  /** Number of hex digits in a SHA-256 object id. */
  public static final int SHA256_HEX_LENGTH = 64;

  private static final String EXPECTED = "40 or 64 lowercase hex digits";

  /**
   * Validates the hex digits.
   *
   * @throws IllegalArgumentException unless {@code hex} is 40 or 64 lowercase hex digits
   */
  public GitObjectId {
    if (!isValid(hex)) {
      throw new IllegalArgumentException(
          "object id: "
              + ProtocolException.describe(hex.getBytes(StandardCharsets.UTF_8))
              + " (expected: "
              + EXPECTED
              + ")");
    }
  }

  /**
   * Parses an object id from the wire. Uppercase hex is rejected because git always sends
   * lowercase.
   *
   * @throws ProtocolException unless {@code text} is 40 or 64 lowercase hex digits
   */
  public static GitObjectId parse(String text) throws ProtocolException {
    if (!isValid(text)) {
      throw new ProtocolException("object id", text, EXPECTED);
    }
    return new GitObjectId(text);
  }

  /**
   * Returns the all-zero id, which stands for a missing ref in a ref command.
   *
   * @throws IllegalArgumentException unless {@code hexLength} is 40 or 64
   */
  public static GitObjectId zero(int hexLength) {
    if (hexLength != SHA1_HEX_LENGTH && hexLength != SHA256_HEX_LENGTH) {
      throw new IllegalArgumentException("hexLength: " + hexLength + " (expected: 40 or 64)");
    }
    return new GitObjectId("0".repeat(hexLength));
  }

  /** Returns whether every digit is {@code 0}. */
  public boolean isZero() {
    return hex.chars().allMatch(c -> c == '0');
  }

  @Override
  public String toString() {
    return hex;
  }

  static boolean isValid(String text) {
    if (text.length() != SHA1_HEX_LENGTH && text.length() != SHA256_HEX_LENGTH) {
      return false;
    }
    return text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}
