package dev.gitward.token;

import com.nimbusds.jose.util.Base64URL;
import dev.gitward.token.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The three segments of a compact JWS, split and base64url-decoded strictly: only the characters
 * {@code A-Z a-z 0-9 - _}, no padding, and no unused bits set, so each byte string has exactly one
 * accepted encoding.
 *
 * @param header the decoded protected header
 * @param payload the decoded payload, parsed only after the signature verifies
 * @param signingInput the ASCII bytes {@code header.payload} that the signature covers
 * @param signature the signature segment
 */
record CompactJws(byte[] header, byte[] payload, byte[] signingInput, Base64URL signature) {
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  /**
   * Splits {@code token} into its segments. The caller has already bounded its length.
   *
   * @throws TokenRejectedException with {@link Reason#MALFORMED}
   */
  static CompactJws split(String token) throws TokenRejectedException {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw segmentCountError(token);
    }
    String headerSegment = token.substring(0, first);
    String payloadSegment = token.substring(first + 1, second);
    String signatureSegment = token.substring(second + 1);
    byte[] header = decode(headerSegment, "header");
    byte[] payload = decode(payloadSegment, "payload");
    decode(signatureSegment, "signature");
    byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    return new CompactJws(header, payload, signingInput, new Base64URL(signatureSegment));
  }

  private static TokenRejectedException segmentCountError(String token) {
    long segments = token.chars().filter(c -> c == '.').count() + 1;
    if (segments == 5) {
      return new TokenRejectedException(
          Reason.MALFORMED,
          "token: 5 segments, a JWE; encrypted tokens are not accepted"
              + " (expected: a signed JWS of 3 segments)");
    }
    return new TokenRejectedException(
        Reason.MALFORMED,
        "token: "
            + segments
            + " segments (expected: a JWS of 3 base64url segments separated by"
            + " dots)");
  }

  private static byte[] decode(String segment, String name) throws TokenRejectedException {
    if (segment.isEmpty() && !name.equals("signature")) {
      throw malformed(name + ": empty (expected: base64url-encoded JSON)");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean alphabet =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!alphabet) {
        throw malformed(
            name + ": invalid character at offset " + i + " (expected: base64url without padding)");
      }
    }
    if (segment.length() % 4 == 1) {
      throw malformed(name + ": truncated base64url (expected: base64url without padding)");
    }
    byte[] decoded = DECODER.decode(segment);
    if (!ENCODER.encodeToString(decoded).equals(segment)) {
      throw malformed(name + ": non-canonical base64url (expected: unused bits set to zero)");
    }
    return decoded;
  }

  private static TokenRejectedException malformed(String message) {
    return new TokenRejectedException(Reason.MALFORMED, message);
  }
}
