package dev.gitward.token;

import dev.gitward.config.TokenSettings;
import java.time.Instant;

/**
 * Revoked task ids and token ids. A revocation lasts until {@code until}, after which no token it
 * matches can still verify, so an implementation may forget it then.
 *
 * <p>Implementations are thread-safe. A shared store (such as Redis) throws {@link
 * RevocationUnavailableException} when it cannot be reached, and verification then rejects the
 * token.
 */
public interface RevocationList {
  /** Returns whether the token's task ({@code sub}) or its id ({@code jti}) is revoked. */
  boolean isRevoked(TaskToken token) throws RevocationUnavailableException;

  /** Revokes every token of {@code task} until {@code until}. */
  void revokeTask(String task, Instant until) throws RevocationUnavailableException;

  /** Revokes the token with id {@code tokenId} until {@code until}. */
  void revokeTokenId(String tokenId, Instant until) throws RevocationUnavailableException;

  /**
   * Returns whether verification can rely on this list now; a shared store returns {@code false}
   * while it is unreachable. A readiness probe takes a replica out of rotation on {@code false}.
   */
  default boolean isReady() {
    return true;
  }

  /**
   * Returns the latest time at which a token issued before {@code now} could still verify: {@code
   * now + maxTtl + 2 * clockSkew}. One skew allows for {@code iat} up to one skew in the future,
   * the other for {@code exp} being accepted up to one skew in the past. A revocation by task lasts
   * until then, and so does one by token id when the token's {@code exp} is unknown.
   */
  static Instant latestValidity(TokenSettings settings, Instant now) {
    return now.plus(settings.maxTtl()).plus(settings.clockSkew().multipliedBy(2));
  }

  /** Returns the latest time at which a token with this {@code exp} could still verify. */
  static Instant latestValidity(TokenSettings settings, TaskToken token) {
    return token.expiresAt().plus(settings.clockSkew());
  }
}
