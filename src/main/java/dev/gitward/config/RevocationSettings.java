package dev.gitward.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The revocation store settings, under {@code revocations:}.
 *
 * @param redis the Redis server that replicas share revocations through; empty keeps them in this
 *     process only
 * @param onUnavailable what verification does while Redis cannot be reached
 * @param serveKnownFor how long {@link OnUnavailable#SERVE_KNOWN} keeps serving after Redis became
 *     unreachable
 */
public record RevocationSettings(
    Optional<URI> redis, OnUnavailable onUnavailable, Duration serveKnownFor) {
  /** Default of {@code revocations.serve-known-for}. */
  public static final Duration DEFAULT_SERVE_KNOWN_FOR = Duration.ofMinutes(5);

  /** Returns the settings of a proxy that keeps revocations in its own process. */
  public static RevocationSettings local() {
    return new RevocationSettings(Optional.empty(), OnUnavailable.REJECT, DEFAULT_SERVE_KNOWN_FOR);
  }

  /** Behaviour of token verification while the shared revocation store is unreachable. */
  public enum OnUnavailable {
    /** Rejects every token, so no revoked token can pass: fail closed. */
    REJECT("reject"),
    /** Checks tokens against the revocations seen before the outage, for a bounded time. */
    SERVE_KNOWN("serve-known");

    private final String configName;

    OnUnavailable(String configName) {
      this.configName = configName;
    }

    /** Returns the value as written in the config file. */
    public String configName() {
      return configName;
    }
  }
}
