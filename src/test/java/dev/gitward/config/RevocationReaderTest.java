package dev.gitward.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gitward.config.RevocationSettings.OnUnavailable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevocationReaderTest {
  private static final String BASE =
      "tokens:\n  keys:\n    - file: unused.jwk\n"
          + "upstreams:\n  local:\n    url: http://127.0.0.1:1\n    credentials:\n      type: none\n";

  private static GitwardConfig parse(String revocations) throws ConfigException {
    return new ConfigLoader(Map.of()).parse(BASE + revocations, "test");
  }

  @Test
  void absent_keepsRevocationsLocal() throws Exception {
    assertEquals(RevocationSettings.local(), parse("").revocations());
  }

  @Test
  void redisSection_read() throws Exception {
    RevocationSettings settings =
        parse(
                "revocations:\n  redis: redis://127.0.0.1:6379\n  on-unavailable: serve-known\n"
                    + "  serve-known-for: 30s\n")
            .revocations();
    assertEquals(Optional.of(URI.create("redis://127.0.0.1:6379")), settings.redis());
    assertEquals(OnUnavailable.SERVE_KNOWN, settings.onUnavailable());
    assertEquals(Duration.ofSeconds(30), settings.serveKnownFor());
  }

  @Test
  void invalidValues_reportedWithoutPassword() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                parse(
                    "revocations:\n  redis: http://user:hunter2@host\n  on-unavailable: allow\n"
                        + "  retry: 3\n"));
    assertEquals(
        List.of(
            "revocations.retry: unknown key (expected one of: on-unavailable, redis,"
                + " serve-known-for)",
            "revocations.redis: not a Redis URL (expected: a URL such as redis://127.0.0.1:6379"
                + " or rediss://host:6380)",
            "revocations.on-unavailable: allow (expected: one of [reject, serve-known])"),
        error.problems());
    assertFalse(error.getMessage().contains("hunter2"));
  }
}
