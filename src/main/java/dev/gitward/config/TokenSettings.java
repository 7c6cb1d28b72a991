package dev.gitward.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of task token minting and verification, under {@code tokens:} in the config file.
 *
 * @param issuer the {@code iss} that tokens carry and verification requires
 * @param audience the {@code aud} that tokens carry and verification requires
 * @param keyFiles JWK files of the key ring; the first signs and all verify
 * @param maxTtl the maximum {@code exp - iat}
 * @param clockSkew the allowance for clock differences on {@code iat}, {@code nbf} and {@code exp}
 * @param maxTokenBytes the maximum length of a token's text, checked before parsing
 * @param maxGrants the maximum number of grants in one token
 */
public record TokenSettings(
    String issuer,
    String audience,
    List<Path> keyFiles,
    Duration maxTtl,
    Duration clockSkew,
    int maxTokenBytes,
    int maxGrants) {
  /** Default maximum token length: 8 KiB. */
  public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

  /** Default maximum number of grants in a token. */
  public static final int DEFAULT_MAX_GRANTS = 100;

  public TokenSettings {
    keyFiles = List.copyOf(keyFiles);
  }
}
