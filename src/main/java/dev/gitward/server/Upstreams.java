package dev.gitward.server;

import dev.gitward.config.ConfigException;
import dev.gitward.config.CredentialSettings;
import dev.gitward.config.UpstreamSettings;
import dev.gitward.upstream.AnonymousCredential;
import dev.gitward.upstream.StaticCredential;
import dev.gitward.upstream.Upstream;
import dev.gitward.upstream.UpstreamClient;
import dev.gitward.upstream.UpstreamCredential;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the configured upstreams with their credential sources and clients. */
final class Upstreams {
  private Upstreams() {}

  static Map<String, Upstream> create(
      Map<String, UpstreamSettings> settings, Map<String, String> environment)
      throws ConfigException {
    Map<String, Upstream> upstreams = new LinkedHashMap<>();
    try {
      for (UpstreamSettings upstream : settings.values()) {
        UpstreamCredential credential = credential(upstream, environment);
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
      UpstreamSettings upstream, Map<String, String> environment) throws ConfigException {
    String key = "upstreams." + upstream.name() + ".credentials";
    CredentialSettings credentials = upstream.credentials();
    if (credentials instanceof CredentialSettings.Static fixed) {
      return StaticCredential.load(key, fixed, environment);
    }
    if (credentials instanceof CredentialSettings.GitHubApp) {
      throw new ConfigException(
          key + ".type: github-app is not available in this build" + " (expected: static or none)");
    }
    return new AnonymousCredential();
  }
}
