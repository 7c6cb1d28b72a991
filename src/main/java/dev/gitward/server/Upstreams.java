package dev.gitward.server;

import dev.gitward.config.ConfigException;
import dev.gitward.config.CredentialSettings;
import dev.gitward.config.UpstreamSettings;
import dev.gitward.metrics.CredentialMetrics;
import dev.gitward.upstream.AnonymousCredential;
import dev.gitward.upstream.GitHubAppCredential;
import dev.gitward.upstream.StaticCredential;
import dev.gitward.upstream.Upstream;
import dev.gitward.upstream.UpstreamClient;
import dev.gitward.upstream.UpstreamCredential;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the configured upstreams with their credential sources and clients. */
final class Upstreams {
  private Upstreams() {}

  static Map<String, Upstream> create(
      Map<String, UpstreamSettings> settings,
      Map<String, String> environment,
      Clock clock,
      CredentialMetrics metrics)
      throws ConfigException {
    Map<String, Upstream> upstreams = new LinkedHashMap<>();
    try {
      for (UpstreamSettings upstream : settings.values()) {
        UpstreamCredential credential = credential(upstream, environment, clock, metrics);
        upstreams.put(
            upstream.name(), new Upstream(upstream, credential, UpstreamClient.create(upstream)));
      }
    } catch (ConfigException e) {
      upstreams.values().forEach(Upstream::close);
      throw e;
    }
    return upstreams;
  }

  private static UpstreamCredential credential(
      UpstreamSettings upstream,
      Map<String, String> environment,
      Clock clock,
      CredentialMetrics metrics)
      throws ConfigException {
    String key = "upstreams." + upstream.name() + ".credentials";
    CredentialSettings credentials = upstream.credentials();
    if (credentials instanceof CredentialSettings.Static fixed) {
      return StaticCredential.load(key, fixed, environment);
    }
    if (credentials instanceof CredentialSettings.GitHubApp app) {
      return GitHubAppCredential.create(key, upstream, app, clock, metrics);
    }
    return new AnonymousCredential();
  }
}
