package dev.gitward.upstream;

import dev.gitward.config.ConfigException;
import dev.gitward.config.CredentialSettings;
import dev.gitward.config.CredentialSettings.Scheme;
import dev.gitward.policy.RepositoryName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** A fixed upstream token, read once at start from an environment variable or a file. */
public final class StaticCredential implements UpstreamCredential {
  /** Maximum size of a token file. */
  static final int MAX_TOKEN_BYTES = 16 * 1024;

  private final String headerValue;

  private StaticCredential(String headerValue) {
    this.headerValue = headerValue;
  }

  /** Reads the token that {@code settings} names; {@code key} names the setting in errors. */
  public static StaticCredential load(
      String key, CredentialSettings.Static settings, Map<String, String> environment)
      throws ConfigException {
    String token = readToken(key, settings, environment);
    if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new ConfigException(
          key
              + ": token of "
              + token.length()
              + " characters (expected:"
              + " a non-empty token of printable ASCII without spaces)");
    }
    String header =
        settings.scheme() == Scheme.BEARER
            ? "Bearer " + token
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (settings.username() + ":" + token).getBytes(StandardCharsets.UTF_8));
    return new StaticCredential(header);
  }

  private static String readToken(
      String key, CredentialSettings.Static settings, Map<String, String> environment)
      throws ConfigException {
    if (settings.tokenEnv().isPresent()) {
      String name = settings.tokenEnv().get();
      String value = environment.get(name);
      if (value == null) {
        throw new ConfigException(
            key
                + ".token-env: "
                + name
                + " is not set (expected: an"
                + " environment variable that holds the upstream token)");
      }
      return value.strip();
    }
    Path file = settings.tokenFile().orElseThrow();
    try {
      if (Files.size(file) > MAX_TOKEN_BYTES) {
        throw new ConfigException(
            key
                + ".token-file: "
                + file
                + " is larger than 16 KiB"
                + " (expected: a file that holds one token)");
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException(
          key
              + ".token-file: "
              + file
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + ") (expected: a readable file that holds the token)");
    }
  }

  @Override
  public Optional<String> authorization(RepositoryName repository, boolean write) {
    return Optional.of(headerValue);
  }

  @Override
  public boolean answersAtOnce(RepositoryName repository, boolean write) {
    return true;
  }

  @Override
  public String toString() {
    return "StaticCredential[****]";
  }
}
