package dev.gitward.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The effective settings in {@code key: value} lines, as {@code check-config} prints them and the
 * server logs them at start. A secret is described by where it comes from and its length.
 */
public final class EffectiveSettings {
  private EffectiveSettings() {}

  public static List<String> lines(GitwardConfig config, Map<String, String> environment) {
    List<String> lines = new ArrayList<>();
    ProxySettings proxy = config.proxy();
    lines.add("proxy.listen: " + proxy.listen());
    lines.add("proxy.public-url: " + proxy.publicUrl());
    lines.add("proxy.request-parse-timeout: " + Durations.format(proxy.requestParseTimeout()));
    lines.add("proxy.drain-timeout: " + Durations.format(proxy.drainTimeout()));
    lines.add("proxy.worker-threads: " + proxy.workerThreads());
    lines.add("proxy.client-read-idle-timeout: " + Durations.format(proxy.clientReadIdleTimeout()));
    lines.add("proxy.allowed-hosts: " + proxy.allowedHosts().stream().sorted().toList());

    lines.add("admin.listen: " + config.admin().listen());
    lines.add(
        "admin.token: "
            + config
                .admin()
                .tokenFile()
                .map(file -> "file " + file)
                .or(
                    () ->
                        config
                            .admin()
                            .tokenEnv()
                            .map(
                                name ->
                                    "env " + name + " (" + describeEnv(environment, name) + ")"))
                .orElse("not configured (the admin API rejects every request)"));

    TokenSettings tokens = config.tokens();
    lines.add("tokens.issuer: " + tokens.issuer());
    lines.add("tokens.audience: " + tokens.audience());
    lines.add("tokens.key-files: " + tokens.keyFiles());
    lines.add("tokens.max-ttl: " + Durations.format(tokens.maxTtl()));
    lines.add("tokens.clock-skew: " + Durations.format(tokens.clockSkew()));
    lines.add("tokens.max-size: " + tokens.maxTokenBytes());
    lines.add("tokens.max-grants: " + tokens.maxGrants());
    config.upstreams().values().forEach(upstream -> upstream(lines, upstream, environment));
    RevocationSettings revocations = config.revocations();
    lines.add(
        "revocations.redis: "
            + revocations
                .redis()
                .map(uri -> uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort())
                .orElse("none (revocations stay in this process)"));
    lines.add("revocations.on-unavailable: " + revocations.onUnavailable().configName());
    lines.add("revocations.serve-known-for: " + Durations.format(revocations.serveKnownFor()));

    lines.add("audit.file: " + config.audit().file().map(Object::toString).orElse("- (stdout)"));
    lines.add("audit.queue-size: " + config.audit().queueSize());
    lines.add("audit.fetch-fsync-delay: " + Durations.format(config.audit().fetchFsyncDelay()));
    lines.add(
        "audit.on-failure: "
            + config.audit().onFailure().name().toLowerCase(java.util.Locale.ROOT));

    Limits limits = config.limits();
    lines.add(
        "limits: header-block="
            + limits.headerBlock()
            + " header-count="
            + limits.headerCount()
            + " command-section="
            + limits.commandSection()
            + " commands="
            + limits.commands()
            + " ref-name="
            + limits.refName()
            + " pkt-line="
            + limits.pktLine()
            + " push-body="
            + limits.pushBody()
            + " upload-pack-request="
            + limits.uploadPackRequest());
    return lines;
  }

  private static void upstream(
      List<String> lines, UpstreamSettings upstream, Map<String, String> environment) {
    String key = "upstreams." + upstream.name();
    lines.add(key + ".url: " + upstream.url());
    upstream.apiUrl().ifPresent(url -> lines.add(key + ".api-url: " + url));
    lines.add(key + ".case-insensitive: " + upstream.caseInsensitive());
    lines.add(key + ".credentials: " + describe(upstream.credentials(), environment));
    lines.add(key + ".push-options: " + upstream.pushOptions().stream().sorted().toList());
    lines.add(
        key
            + ".tls.ca-file: "
            + upstream.caFile().map(Object::toString).orElse("system trust store"));
    lines.add(
        key
            + ".timeouts: connect="
            + Durations.format(upstream.connectTimeout())
            + " read-idle="
            + Durations.format(upstream.readIdleTimeout()));
  }

  private static String describe(CredentialSettings credentials, Map<String, String> env) {
    if (credentials instanceof CredentialSettings.Static fixed) {
      String source =
          fixed
              .tokenEnv()
              .map(name -> "env " + name + " (" + describeEnv(env, name) + ")")
              .orElseGet(() -> "file " + fixed.tokenFile().orElseThrow());
      return "static "
          + fixed.scheme().name().toLowerCase(java.util.Locale.ROOT)
          + " username="
          + fixed.username()
          + " token from "
          + source;
    }
    if (credentials instanceof CredentialSettings.GitHubApp app) {
      return "github-app app-id="
          + app.appId()
          + " private-key-file="
          + app.privateKeyFile()
          + " installation-id="
          + app.installationId().map(Object::toString).orElse("per" + " repository")
          + " api-timeout="
          + Durations.format(app.apiTimeout());
    }
    return "none";
  }

  private static String describeEnv(Map<String, String> environment, String name) {
    String value = environment.get(name);
    return value == null ? "not set" : "set, " + value.length() + " characters";
  }
}
