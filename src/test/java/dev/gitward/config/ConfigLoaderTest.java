package dev.gitward.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static final String MINIMAL =
      "tokens:\n  keys:\n    - file: k.jwk\n"
          + "upstreams:\n  github.com:\n    url: https://github.com\n"
          + "    credentials:\n      type: static\n      token-env: GITHUB_TOKEN\n";

  private static GitwardConfig parse(String yaml) throws ConfigException {
    return new ConfigLoader(Map.of("GITHUB_TOKEN", "x")).parse(yaml, "test");
  }

  private static ConfigException reject(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  @Test
  void parse_appliesDefaults() throws Exception {
    GitwardConfig config = parse(MINIMAL);
    assertEquals(new HostPort("127.0.0.1", 8080), config.proxy().listen());
    assertEquals(URI.create("http://127.0.0.1:8080"), config.proxy().publicUrl());
    assertEquals(new HostPort("127.0.0.1", 8081), config.admin().listen());
    assertEquals(Duration.ofHours(1), config.tokens().maxTtl());
    assertEquals(Duration.ofSeconds(60), config.tokens().clockSkew());
    assertEquals(8192, config.tokens().maxTokenBytes());
    assertEquals(Limits.defaults(), config.limits());
    UpstreamSettings github = config.upstream("github.com").orElseThrow();
    assertEquals(Duration.ofSeconds(5), github.connectTimeout());
    assertEquals(Duration.ofSeconds(60), github.readIdleTimeout());
    assertEquals(
        new CredentialSettings.Static(
            CredentialSettings.Scheme.BASIC,
            "x-access-token",
            java.util.Optional.of("GITHUB_TOKEN"),
            java.util.Optional.empty()),
        github.credentials());
    assertEquals(java.util.Optional.empty(), config.audit().file());
    assertEquals(Duration.ofSeconds(1), config.audit().fetchFsyncDelay());
  }

  @Test
  void parse_acceptsZeroFetchFsyncDelay() throws Exception {
    GitwardConfig config = parse(MINIMAL + "audit:\n  fetch-fsync-delay: 0s\n");
    assertEquals(Duration.ZERO, config.audit().fetchFsyncDelay());
  }

  @Test
  void parse_rejectsLongFetchFsyncDelay() {
    ConfigException error = reject(MINIMAL + "audit:\n  fetch-fsync-delay: 2m\n");
    assertTrue(
        error
            .problems()
            .contains(
                "audit.fetch-fsync-delay: 2m (expected: at most 1m, or 0s to force every batch"
                    + " to disk)"),
        error.getMessage());
  }

  @Test
  void parse_readsSizesAndDurations() throws Exception {
    GitwardConfig config =
        parse(
            MINIMAL
                + "limits:\n  push-body: 1GiB\n  header-block: 32KiB\n"
                + "proxy:\n  drain-timeout: 500ms\n");
    assertEquals(1L << 30, config.limits().pushBody());
    assertEquals(32 * 1024, config.limits().headerBlock());
    assertEquals(Duration.ofMillis(500), config.proxy().drainTimeout());
  }

  @Test
  void parse_expandsEnvironmentReferences() throws Exception {
    GitwardConfig config =
        new ConfigLoader(Map.of("AUD", "ci-proxy"))
            .parse(MINIMAL.replace("tokens:\n", "tokens:\n  audience: ${AUD}\n"), "test");
    assertEquals("ci-proxy", config.tokens().audience());
  }

  @Test
  void parse_reportsEveryProblemWithKeyValueAndExpectation() {
    ConfigException error =
        reject(
            "proxy:\n  listen: localhost\n  colour: blue\n"
                + "tokens:\n  max-ttl: forever\n  keys: []\n"
                + "upstreams:\n  github.com:\n    url: ftp://github.com\n"
                + "    credentials:\n      type: magic\n");
    assertEquals(6, error.problems().size(), error.getMessage());
    assertTrue(
        error
            .problems()
            .contains("proxy.listen: localhost (expected: host:port, such as 127.0.0.1:8080)"));
    assertTrue(
        error
            .problems()
            .contains(
                "proxy.colour: unknown key (expected one of: allowed-hosts,"
                    + " client-read-idle-timeout, drain-timeout, listen, public-url,"
                    + " request-parse-timeout, worker-threads)"));
    assertTrue(
        error
            .problems()
            .contains(
                "tokens.max-ttl: forever (expected: a duration such as 500ms, 30s, 5m or 1h)"));
    assertTrue(error.problems().stream().anyMatch(p -> p.startsWith("tokens.keys: empty")));
    assertTrue(
        error
            .problems()
            .contains(
                "upstreams.github.com.url: ftp://github.com (expected:"
                    + " an http or https URL without user info, query or fragment)"));
    assertTrue(
        error
            .problems()
            .contains(
                "upstreams.github.com.credentials.type: magic (expected: static, github-app or none)"));
  }

  @Test
  void parse_rejectsInlineSecretWithoutEchoingIt() {
    ConfigException error =
        reject(MINIMAL.replace("token-env: GITHUB_TOKEN", "token: ghp_canarySecretValue"));
    assertTrue(error.getMessage().contains("inline token of 21 characters"), error.getMessage());
    assertFalse(error.getMessage().contains("ghp_canarySecretValue"));
  }

  @Test
  void parse_rejectsUrlCredentialsWithoutEchoingThem() {
    ConfigException error =
        reject(
            MINIMAL.replace(
                "url: https://github.com",
                "url: https://x-access-token:ghp_urlCanary123@github.com/"));
    assertFalse(error.getMessage().contains("ghp_urlCanary123"), error.getMessage());
    assertTrue(
        error
            .problems()
            .contains(
                "upstreams.github.com.url: https://(user info of 31"
                    + " characters)@github.com/ (expected: an http or https URL without user info, query"
                    + " or fragment)"),
        error.getMessage());
  }

  @Test
  void durations_formatInConfigUnits() {
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("45s", Durations.format(Duration.ofSeconds(45)));
    assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
    assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("1h", Durations.format(Duration.ofHours(1)));
    assertEquals("0s", Durations.format(Duration.ZERO));
    assertEquals(
        Duration.ofSeconds(90), Durations.parse("x", Durations.format(Duration.ofSeconds(90))));
  }

  @Test
  void parse_rejectsDuplicateKeys() {
    ConfigException error = reject(MINIMAL + "audit:\n  file: a\n  file: b\n");
    assertTrue(error.getMessage().contains("Duplicate field 'file'"), error.getMessage());
  }

  @Test
  void parse_rejectsUnsetEnvironmentReference() {
    ConfigException error = reject(MINIMAL.replace("tokens:\n", "tokens:\n  issuer: ${NOPE}\n"));
    assertTrue(
        error
            .problems()
            .contains(
                "tokens.issuer: ${NOPE} is not set (expected: an"
                    + " environment variable set before start)"),
        error.getMessage());
  }

  @Test
  void parse_requiresExactlyOneTokenSource() {
    ConfigException error =
        reject(
            MINIMAL.replace(
                "token-env: GITHUB_TOKEN",
                "token-env: GITHUB_TOKEN\n      token-file: /run/token"));
    assertTrue(error.getMessage().contains("both token-env and token-file"), error.getMessage());
  }

  @Test
  void parse_rejectsUpstreamNamesOutsideTheSegmentGrammar() {
    ConfigException error = reject(MINIMAL.replace("github.com:", "\"git hub\":"));
    assertTrue(
        error.getMessage().contains("upstreams.git hub: invalid upstream name"),
        error.getMessage());
  }

  @Test
  void load_reportsMissingFile() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> new ConfigLoader(Map.of()).load(Path.of("/nonexistent/gitward.yaml")));
    assertEquals(
        "/nonexistent/gitward.yaml: not found (expected: a readable YAML file)",
        error.getMessage());
  }

  @Test
  void exampleConfigs_parse() throws Exception {
    for (String name :
        new String[] {
          "gitward.yaml",
          "examples/http-backend.yaml",
          "examples/gitlab.yaml",
          "examples/gitea.yaml",
          "examples/bitbucket.yaml"
        }) {
      new ConfigLoader(Map.of("GITHUB_TOKEN", "x", "GITLAB_TOKEN", "x", "BITBUCKET_TOKEN", "x"))
          .load(Path.of("config", name));
    }
  }
}
