package dev.gitward.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The credential source of an upstream, under {@code upstreams.NAME.credentials}. */
public sealed interface CredentialSettings {
  /** No credential, for an anonymous upstream such as a local {@code git http-backend}. */
  record None() implements CredentialSettings {}

  /**
   * A fixed token read from an environment variable or a file, never from the config file.
   *
   * @param scheme how the token is sent
   * @param username the Basic username, such as {@code x-access-token} on GitHub
   * @param tokenEnv the environment variable that contains the token
   * @param tokenFile the file that contains the token
   */
  record Static(Scheme scheme, String username, Optional<String> tokenEnv, Optional<Path> tokenFile)
      implements CredentialSettings {}

  /**
   * A GitHub App whose installation tokens are minted per request.
   *
   * @param appId the app's numeric id
   * @param privateKeyFile the app's PEM private key
   * @param installationId the installation, or empty to look it up per repository
   * @param apiTimeout the maximum time for one REST API call, from connecting to the last byte
   */
  record GitHubApp(
      long appId, Path privateKeyFile, Optional<Long> installationId, Duration apiTimeout)
      implements CredentialSettings {}

  /** The form of a static token in the {@code Authorization} header. */
  enum Scheme {
    /** HTTP Basic with the configured username and the token as password. */
    BASIC,
    /** {@code Authorization: Bearer <token>}. */
    BEARER
  }
}
