package dev.gitward.token;

/**
 * A task token that failed verification. The message is safe to show to the client: it says what is
 * wrong without quoting the token or any key material.
 */
public final class TokenRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Reason reason;

  public TokenRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** Closed set of rejection causes, used as a metric tag and in audit events. */
  public enum Reason {
    /** The token is longer than the configured limit. */
    TOO_LARGE,
    /** The text is not a compact JWS, or a segment is not valid base64url JSON. */
    MALFORMED,
    /** A header is missing, unsupported or forbidden ({@code alg}, {@code typ}, {@code jku}…). */
    BAD_HEADER,
    /** No configured key has the token's {@code kid}. */
    UNKNOWN_KEY,
    /** The signature does not verify with the selected key. */
    BAD_SIGNATURE,
    /** A claim is missing, of the wrong type, duplicated or not allowed. */
    BAD_CLAIMS,
    /** {@code iss} or {@code aud} is not the configured value. */
    WRONG_AUDIENCE_OR_ISSUER,
    /** The token expired, is not yet valid, or lives longer than the maximum lifetime. */
    EXPIRED_OR_NOT_YET_VALID,
    /** The token or its task was revoked. */
    REVOKED,
    /** The revocation store could not be consulted, so the token is not trusted. */
    REVOCATION_UNAVAILABLE
  }
}
