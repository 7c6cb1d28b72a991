package dev.gitward.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads GitHub's response to a token request and rejects any token whose scope differs from the
 * request: other permissions, other repositories, or access to all of the installation's
 * repositories. A broader token is never used, because it would let one task reach another task's
 * repositories.
 */
final class InstallationTokenReader {
  /** Maximum token length accepted; GitHub's installation tokens are far shorter. */
  static final int MAX_TOKEN_LENGTH = 1024;

  private InstallationTokenReader() {}

  static InstallationToken read(String call, JsonNode answer, TokenRequest request, Instant now)
      throws CredentialUnavailableException {
    String token = token(call, answer);
    Instant expiresAt = expiresAt(call, answer, now);
    checkPermissions(call, answer, request);
    checkRepositories(call, answer, request);
    return new InstallationToken(token, expiresAt);
  }

  private static String token(String call, JsonNode answer) throws CredentialUnavailableException {
    JsonNode token = answer.get("token");
    if (token == null || !token.isTextual()) {
      throw GitHubApi.malformed(call, "no token");
    }
    String text = token.asText();
    if (text.isEmpty()
        || text.length() > MAX_TOKEN_LENGTH
        || text.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw GitHubApi.malformed(
          call, "a token of " + text.length() + " characters that is not printable ASCII");
    }
    return text;
  }

  private static Instant expiresAt(String call, JsonNode answer, Instant now)
      throws CredentialUnavailableException {
    JsonNode expires = answer.get("expires_at");
    if (expires == null || !expires.isTextual()) {
      throw GitHubApi.malformed(call, "no expires_at");
    }
    Instant expiresAt;
    try {
      expiresAt = Instant.parse(expires.asText());
    } catch (DateTimeParseException e) {
      throw GitHubApi.malformed(
          call, "an invalid expires_at " + expires.asText() + ", not an ISO-8601 timestamp");
    }
    if (!expiresAt.isAfter(now)) {
      throw GitHubApi.malformed(call, "a token that expired at " + expiresAt);
    }
    return expiresAt;
  }

  private static void checkPermissions(String call, JsonNode answer, TokenRequest request)
      throws CredentialUnavailableException {
    Map<String, String> expected =
        Map.of("contents", request.contents().wireName(), "metadata", "read");
    Map<String, String> granted = new TreeMap<>();
    JsonNode permissions = answer.get("permissions");
    if (permissions == null || !permissions.isObject()) {
      throw GitHubApi.malformed(call, "no permissions");
    }
    permissions.fields().forEachRemaining(e -> granted.put(e.getKey(), e.getValue().asText()));
    if (!granted.equals(expected)) {
      throw new CredentialUnavailableException(
          "GitHub API "
              + call
              + " granted permissions "
              + granted
              + " (expected: exactly "
              + new TreeMap<>(expected)
              + ")");
    }
  }

  private static void checkRepositories(String call, JsonNode answer, TokenRequest request)
      throws CredentialUnavailableException {
    JsonNode selection = answer.get("repository_selection");
    if (selection == null || !"selected".equals(selection.asText())) {
      throw new CredentialUnavailableException(
          "GitHub API "
              + call
              + " granted repository_selection "
              + (selection == null ? "missing" : selection.asText())
              + " (expected: selected, limited to "
              + request.repositories()
              + ")");
    }
    JsonNode repositories = answer.get("repositories");
    if (repositories == null || !repositories.isArray()) {
      throw GitHubApi.malformed(call, "no repositories");
    }
    TreeSet<String> granted = new TreeSet<>();
    for (JsonNode repository : repositories) {
      JsonNode name = repository.get("name");
      if (name == null || !name.isTextual()) {
        throw GitHubApi.malformed(call, "a repository without a name");
      }
      granted.add(name.asText().toLowerCase(Locale.ROOT));
    }
    if (!granted.equals(request.repositories())) {
      throw new CredentialUnavailableException(
          "GitHub API "
              + call
              + " granted repositories "
              + granted
              + " (expected: exactly "
              + request.repositories()
              + ")");
    }
  }
}
