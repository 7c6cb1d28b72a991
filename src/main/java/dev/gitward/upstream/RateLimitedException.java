package dev.gitward.upstream;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** GitHub rate-limited the app; no API call is made until {@link #resetAt}. */
final class RateLimitedException extends CredentialUnavailableException {
  private static final long serialVersionUID = 1L;

  private final Instant resetAt;

  RateLimitedException(String call, Instant resetAt) {
    super(message(resetAt) + " (" + call + ")", true);
    this.resetAt = resetAt;
  }

  /** Creates the rejection for a request that arrives while the backoff lasts. */
  static CredentialUnavailableException during(Instant resetAt) {
    return new CredentialUnavailableException(message(resetAt), true);
  }

  Instant resetAt() {
    return resetAt;
  }

  private static String message(Instant resetAt) {
    return "rate limited by GitHub until " + resetAt.truncatedTo(ChronoUnit.SECONDS);
  }
}
