package dev.gitward.admin;

import dev.gitward.config.AdminSettings;
import dev.gitward.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer secret of the admin API, read from {@code admin.token-file} or {@code
 * admin.token-env}. It is compared in constant time and never appears in {@link #toString} or in an
 * error message, which describe it by its source and length.
 */
public final class AdminSecret {
  /** Minimum length of the secret, in characters. */
  public static final int MIN_CHARS = 16;

  /** Maximum size of the secret file. */
  private static final long MAX_FILE_BYTES = 4096;

  private final byte[] digest;
  private final String source;

  private AdminSecret(String secret, String source) {
    this.digest = sha256(secret.getBytes(StandardCharsets.UTF_8));
    this.source = source;
  }

  /**
   * Loads the secret that {@code settings} names, or returns empty when neither {@code
   * admin.token-file} nor {@code admin.token-env} is set, which disables minting and revocation.
   *
   * @throws ConfigException when both are set, the file or variable is missing, or the secret is
   *     shorter than {@link #MIN_CHARS}
   */
  public static Optional<AdminSecret> load(AdminSettings settings, Map<String, String> environment)
      throws ConfigException {
    if (settings.tokenFile().isPresent() && settings.tokenEnv().isPresent()) {
      throw new ConfigException(
          "admin: both token-file and token-env are set (expected: exactly one of them)");
    }
    if (settings.tokenFile().isPresent()) {
      return Optional.of(fromFile(settings.tokenFile().get()));
    }
    if (settings.tokenEnv().isPresent()) {
      return Optional.of(fromEnvironment(settings.tokenEnv().get(), environment));
    }
    return Optional.empty();
  }

  private static AdminSecret fromFile(Path file) throws ConfigException {
    String key = "admin.token-file";
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(
            key + ": " + file + " is larger than 4 KiB (expected: a file with one secret line)");
      }
      // Editors and "echo > file" add a line break, which is not part of the secret.
      String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      return of(secret, key + " " + file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(key + ": " + file + " not found (expected: a readable file)");
    } catch (IOException e) {
      throw new ConfigException(
          key + ": " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static AdminSecret fromEnvironment(String name, Map<String, String> environment)
      throws ConfigException {
    String key = "admin.token-env";
    String secret = environment.get(name);
    if (secret == null) {
      throw new ConfigException(
          key + ": variable " + name + " is not set (expected: the admin bearer secret)");
    }
    return of(secret.strip(), key + " " + name);
  }

  /**
   * Returns a secret from its text; {@code source} names where it came from in messages.
   *
   * @throws ConfigException when the secret is shorter than {@link #MIN_CHARS}
   */
  static AdminSecret of(String secret, String source) throws ConfigException {
    if (secret.length() < MIN_CHARS) {
      throw new ConfigException(
          source
              + ": the secret has "
              + secret.length()
              + " characters (expected: at least "
              + MIN_CHARS
              + ", such as the output of openssl rand -hex 32)");
    }
    return new AdminSecret(secret, source);
  }

  /** Returns whether {@code presented} is the secret, in time independent of where they differ. */
  public boolean matches(String presented) {
    // Comparing fixed-length digests also hides the length of the secret.
    return MessageDigest.isEqual(digest, sha256(presented.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "AdminSecret[source=" + source + ", secret=****]";
  }
}
