package dev.gitward.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * An installation access token that GitHub minted, with its expiry. {@code toString} masks the
 * token.
 */
record InstallationToken(String token, Instant expiresAt) {
  /** Returns the {@code Authorization} value that git hosts on GitHub accept for the token. */
  String authorization() {
    String pair = "x-access-token:" + token;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns whether more than {@code margin} of the token's life remains at {@code now}. */
  boolean freshAt(Instant now, Duration margin) {
    return now.plus(margin).isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "InstallationToken[****, expiresAt=" + expiresAt + "]";
  }
}
