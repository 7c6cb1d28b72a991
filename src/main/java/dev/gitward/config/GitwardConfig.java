package dev.gitward.config;

import java.util.Map;
import java.util.Optional;

/** The whole validated configuration. */
public record GitwardConfig(
    ProxySettings proxy,
    AdminSettings admin,
    TokenSettings tokens,
    Map<String, UpstreamSettings> upstreams,
    AuditSettings audit,
    Limits limits,
    RevocationSettings revocations) {
  public GitwardConfig {
    upstreams = Map.copyOf(upstreams);
  }

  /** Returns the upstream with the given name. */
  public Optional<UpstreamSettings> upstream(String name) {
    return Optional.ofNullable(upstreams.get(name));
  }
}
