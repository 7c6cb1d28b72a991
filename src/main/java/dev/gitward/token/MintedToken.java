package dev.gitward.token;

import java.time.Instant;

/**
 * A newly minted task token. {@link #toString} masks the token text, which is a credential.
 *
 * @param token the compact JWS text, a secret
 * @param tokenId the {@code jti}, which logs and audit events use to name the token
 * @param task the task id ({@code sub})
 * @param expiresAt {@code exp}
 */
public record MintedToken(String token, String tokenId, String task, Instant expiresAt) {
  @Override
  public String toString() {
    return "MintedToken[tokenId="
        + tokenId
        + ", task="
        + task
        + ", expiresAt="
        + expiresAt
        + ", token=****]";
  }
}
