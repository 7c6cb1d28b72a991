package dev.gitward.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gitward.config.RevocationSettings.OnUnavailable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/** Reads the {@code revocations:} section of the config file. */
final class RevocationReader {
  private static final String KEY = "revocations";

  private RevocationReader() {}

  static RevocationSettings read(ConfigReader reader, JsonNode node) {
    reader.checkKeys(node, KEY, Set.of("redis", "on-unavailable", "serve-known-for"));
    Optional<URI> redis = reader.string(node, KEY, "redis").flatMap(text -> redisUri(reader, text));
    OnUnavailable mode =
        onUnavailable(reader, reader.string(node, KEY, "on-unavailable", "reject"));
    Duration serveKnownFor =
        ConfigLoader.positive(
            reader,
            KEY + ".serve-known-for",
            reader.duration(
                node, KEY, "serve-known-for", RevocationSettings.DEFAULT_SERVE_KNOWN_FOR));
    return new RevocationSettings(redis, mode, serveKnownFor);
  }

  private static Optional<URI> redisUri(ConfigReader reader, String text) {
    String expected = " (expected: a URL such as redis://127.0.0.1:6379 or rediss://host:6380)";
    try {
      URI uri = new URI(text);
      boolean redisScheme = "redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme());
      if (redisScheme && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // Reported below with the expected form.
    }
    // The URL may carry a password, so the message names the scheme only.
    reader.problem(KEY + ".redis", "not a Redis URL" + expected);
    return Optional.empty();
  }

  private static OnUnavailable onUnavailable(ConfigReader reader, String text) {
    for (OnUnavailable mode : OnUnavailable.values()) {
      if (mode.configName().equals(text)) {
        return mode;
      }
    }
    reader.problem(
        KEY + ".on-unavailable",
        text
            + " (expected: one of "
            + Arrays.stream(OnUnavailable.values()).map(OnUnavailable::configName).toList()
            + ")");
    return OnUnavailable.REJECT;
  }
}
