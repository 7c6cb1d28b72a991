package dev.gitward.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.config.AdminSettings;
import dev.gitward.config.ConfigException;
import dev.gitward.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminSecretTest {
  private static final String SECRET = "s3cret-admin-value-0123";
  private static final HostPort LISTEN = new HostPort("127.0.0.1", 0);

  private static AdminSettings settings(Optional<Path> file, Optional<String> env) {
    return new AdminSettings(LISTEN, file, env);
  }

  @Test
  void fromFile_stripsLineBreakAndMatches(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("admin-token"), SECRET + "\n");
    AdminSecret secret =
        AdminSecret.load(settings(Optional.of(file), Optional.empty()), Map.of()).orElseThrow();
    assertTrue(secret.matches(SECRET));
    assertFalse(secret.matches(SECRET + "x"));
    assertFalse(secret.matches(""));
  }

  @Test
  void fromEnvironment_matches() throws Exception {
    AdminSecret secret =
        AdminSecret.load(settings(Optional.empty(), Optional.of("ADMIN")), Map.of("ADMIN", SECRET))
            .orElseThrow();
    assertTrue(secret.matches(SECRET));
  }

  @Test
  void neither_disablesAdminApi() throws Exception {
    assertEquals(
        Optional.empty(), AdminSecret.load(settings(Optional.empty(), Optional.empty()), Map.of()));
  }

  @Test
  void both_rejected(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("admin-token"), SECRET);
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                AdminSecret.load(
                    settings(Optional.of(file), Optional.of("ADMIN")), Map.of("ADMIN", SECRET)));
    assertTrue(error.getMessage().contains("exactly one"), error.getMessage());
  }

  @Test
  void tooShort_rejectedWithLengthNotValue() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                AdminSecret.load(
                    settings(Optional.empty(), Optional.of("ADMIN")), Map.of("ADMIN", "short-pw")));
    assertEquals(
        "admin.token-env ADMIN: the secret has 8 characters (expected: at least 16, such as the"
            + " output of openssl rand -hex 32)",
        error.getMessage());
    assertFalse(error.getMessage().contains("short-pw"));
  }

  @Test
  void missingVariable_rejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> AdminSecret.load(settings(Optional.empty(), Optional.of("ADMIN")), Map.of()));
    assertTrue(error.getMessage().contains("ADMIN is not set"), error.getMessage());
  }

  @Test
  void toString_masksSecret() throws Exception {
    AdminSecret secret = AdminSecret.of(SECRET, "admin.token-env ADMIN");
    assertFalse(secret.toString().contains(SECRET), secret.toString());
    assertTrue(secret.toString().contains("****"), secret.toString());
  }
}
