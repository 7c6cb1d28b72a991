package dev.gitward.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code github-app} credentials and the {@code api-url} they need. */
class GitHubAppSettingsTest {
  private static GitwardConfig parse(String url, String extra) throws ConfigException {
    String yaml =
        "tokens:\n  keys:\n    - file: signing.jwk\nupstreams:\n  hub:\n    url: "
            + url
            + "\n"
            + extra
            + "    credentials:\n      type: github-app\n      app-id: 42\n"
            + "      private-key-file: app.pem\n";
    return new ConfigLoader(Map.of()).parse(yaml, "test");
  }

  @Test
  void githubCom_defaultsApiUrl() throws Exception {
    UpstreamSettings hub = parse("https://github.com", "").upstreams().get("hub");

    assertEquals(Optional.of(URI.create("https://api.github.com")), hub.apiUrl());
    CredentialSettings.GitHubApp app = (CredentialSettings.GitHubApp) hub.credentials();
    assertEquals(Duration.ofSeconds(10), app.apiTimeout());
    assertEquals(Optional.empty(), app.installationId());
  }

  @Test
  void otherHost_requiresApiUrl() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("https://github.example.com", ""));

    assertTrue(
        error
            .getMessage()
            .contains(
                "upstreams.hub.api-url: missing (expected: the REST API base URL of this GitHub"
                    + " host, such as https://HOST/api/v3 for GitHub Enterprise Server)"),
        error.getMessage());
  }

  @Test
  void enterpriseServer_keepsApiUrl() throws Exception {
    UpstreamSettings hub =
        parse("https://github.example.com", "    api-url: https://github.example.com/api/v3\n")
            .upstreams()
            .get("hub");

    assertEquals(Optional.of(URI.create("https://github.example.com/api/v3")), hub.apiUrl());
  }
}
