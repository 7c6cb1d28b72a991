package dev.gitward.metrics;

import java.time.Duration;

/**
 * Meters that an upstream credential source reports to: how long minting a credential takes, how
 * often it fails, and how often a cached credential is reused. {@code upstream} is the configured
 * upstream name.
 */
public interface CredentialMetrics {
  /** Does nothing, for credential sources built without meters. */
  CredentialMetrics NONE =
      new CredentialMetrics() {
        @Override
        public void minted(String upstream, Duration latency, boolean success) {}

        @Override
        public void cacheLookup(String upstream, boolean hit) {}
      };

  /** Records one attempt to mint a credential, such as a GitHub App installation token. */
  void minted(String upstream, Duration latency, boolean success);

  /** Records one cache lookup of a minted credential. */
  void cacheLookup(String upstream, boolean hit);
}
