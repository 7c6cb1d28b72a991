package dev.gitward.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads one entry of {@code upstreams:}. */
final class UpstreamReader {
  private UpstreamReader() {}

  static Optional<UpstreamSettings> read(
      ConfigReader reader, String key, String name, JsonNode node) {
    reader.checkKeys(
        node,
        key,
        Set.of(
            "url",
            "api-url",
            "case-insensitive",
            "credentials",
            "push-options",
            "tls",
            "timeouts"));
    Optional<URI> url = reader.httpUrl(node, key, "url");
    if (url.isEmpty() && !node.has("url")) {
      reader.problem(
          key + ".url", "missing (expected: the host's base URL, such as" + " https://github.com)");
    }
    JsonNode tls = child(reader, node, key, "tls");
    reader.checkKeys(tls, key + ".tls", Set.of("ca-file"));
    JsonNode timeouts = child(reader, node, key, "timeouts");
    reader.checkKeys(timeouts, key + ".timeouts", Set.of("connect", "read-idle"));
    CredentialSettings credentials =
        readCredentials(reader, key + ".credentials", node.get("credentials"));
    Duration connect =
        ConfigLoader.positive(
            reader,
            key + ".timeouts.connect",
            reader.duration(timeouts, key + ".timeouts", "connect", Duration.ofSeconds(5)));
    Duration readIdle =
        ConfigLoader.positive(
            reader,
            key + ".timeouts.read-idle",
            reader.duration(timeouts, key + ".timeouts", "read-idle", Duration.ofSeconds(60)));
    if (url.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new UpstreamSettings(
            name,
            url.get(),
            apiUrl(reader, key, node, url.get(), credentials),
            reader.bool(node, key, "case-insensitive", false),
            credentials,
            readPushOptions(reader, key + ".push-options", node.get("push-options")),
            reader.path(tls, key + ".tls", "ca-file"),
            connect,
            readIdle));
  }

  /**
   * Returns the REST API base URL. A GitHub App on {@code https://github.com} defaults to {@code
   * https://api.github.com}; on any other host the URL cannot be guessed, so it is required.
   */
  private static Optional<URI> apiUrl(
      ConfigReader reader, String key, JsonNode node, URI url, CredentialSettings credentials) {
    Optional<URI> apiUrl = reader.httpUrl(node, key, "api-url");
    if (apiUrl.isPresent()
        || node.has("api-url")
        || !(credentials instanceof CredentialSettings.GitHubApp)) {
      return apiUrl;
    }
    if ("https".equals(url.getScheme()) && "github.com".equalsIgnoreCase(url.getHost())) {
      return Optional.of(URI.create("https://api.github.com"));
    }
    reader.problem(
        key + ".api-url",
        "missing (expected: the REST API base URL of this GitHub host, such as"
            + " https://HOST/api/v3 for GitHub Enterprise Server)");
    return Optional.empty();
  }

  private static JsonNode child(ConfigReader reader, JsonNode node, String key, String name) {
    JsonNode child = node.get(name);
    if (child == null || child.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!child.isObject()) {
      reader.problem(key + "." + name, "not a map (expected: a map of settings)");
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    return child;
  }

  private static Set<String> readPushOptions(ConfigReader reader, String key, JsonNode node) {
    Set<String> options = new LinkedHashSet<>();
    if (node == null || node.isNull()) {
      return options;
    }
    if (!node.isArray()) {
      reader.problem(key, "not a list (expected: a list of push option names, such as [ci.skip])");
      return options;
    }
    for (JsonNode option : node) {
      if (!option.isTextual() || option.asText().isEmpty() || option.asText().contains("\n")) {
        reader.problem(key, option + " (expected: a non-empty push option name)");
      } else {
        options.add(option.asText());
      }
    }
    return options;
  }

  private static CredentialSettings readCredentials(
      ConfigReader reader, String key, JsonNode node) {
    if (node == null || node.isNull()) {
      reader.problem(key, "missing (expected: a map with type static, github-app or none)");
      return new CredentialSettings.None();
    }
    if (!node.isObject()) {
      reader.problem(key, "not a map (expected: a map with type static, github-app or none)");
      return new CredentialSettings.None();
    }
    String type = reader.string(node, key, "type", "");
    return switch (type) {
      case "none" -> {
        reader.checkKeys(node, key, Set.of("type"));
        yield new CredentialSettings.None();
      }
      case "static" -> readStatic(reader, key, node);
      case "github-app" -> readGitHubApp(reader, key, node);
      default -> {
        reader.problem(
            key + ".type",
            (type.isEmpty() ? "missing" : type) + " (expected: static, github-app or none)");
        yield new CredentialSettings.None();
      }
    };
  }

  private static CredentialSettings readStatic(ConfigReader reader, String key, JsonNode node) {
    reader.checkKeys(
        node, key, Set.of("type", "scheme", "username", "token-env", "token-file", "token"));
    if (node.has("token")) {
      reader.problem(
          key + ".token",
          "inline token of "
              + node.get("token").asText().length()
              + " characters (expected: token-env or token-file, never the token in the config file)");
    }
    String scheme = reader.string(node, key, "scheme", "basic").toLowerCase(Locale.ROOT);
    if (!scheme.equals("basic") && !scheme.equals("bearer")) {
      reader.problem(key + ".scheme", scheme + " (expected: basic or bearer)");
    }
    Optional<String> tokenEnv = reader.string(node, key, "token-env");
    Optional<Path> tokenFile = reader.path(node, key, "token-file");
    if (tokenEnv.isPresent() == tokenFile.isPresent()) {
      reader.problem(
          key,
          (tokenEnv.isPresent() ? "both token-env and token-file" : "no token")
              + " (expected: exactly one of token-env or token-file)");
    }
    return new CredentialSettings.Static(
        scheme.equals("bearer")
            ? CredentialSettings.Scheme.BEARER
            : CredentialSettings.Scheme.BASIC,
        reader.string(node, key, "username", "x-access-token"),
        tokenEnv,
        tokenFile);
  }

  private static CredentialSettings readGitHubApp(ConfigReader reader, String key, JsonNode node) {
    reader.checkKeys(
        node, key, Set.of("type", "app-id", "private-key-file", "installation-id", "api-timeout"));
    long appId =
        positiveLong(
            reader,
            key + ".app-id",
            reader.requiredString(node, key, "app-id", "the GitHub App's numeric id"));
    Optional<Path> privateKey =
        reader
            .requiredString(node, key, "private-key-file", "the path of the app's PEM private key")
            .map(Path::of);
    Optional<String> installation = reader.string(node, key, "installation-id");
    Optional<Long> installationId =
        installation.map(text -> positiveLong(reader, key + ".installation-id", Optional.of(text)));
    Duration apiTimeout =
        ConfigLoader.positive(
            reader,
            key + ".api-timeout",
            reader.duration(node, key, "api-timeout", Duration.ofSeconds(10)));
    return new CredentialSettings.GitHubApp(
        appId, privateKey.orElse(Path.of("")), installationId, apiTimeout);
  }

  private static long positiveLong(ConfigReader reader, String key, Optional<String> text) {
    if (text.isEmpty()) {
      return 0;
    }
    try {
      long value = Long.parseLong(text.get());
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below with the expected form.
    }
    reader.problem(key, text.get() + " (expected: a positive integer)");
    return 0;
  }
}
