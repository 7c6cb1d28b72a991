package dev.gitward.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One Git host that Gitward forwards to, under {@code upstreams.NAME}.
 *
 * @param name the first path segment that selects this upstream, such as {@code github.com}
 * @param url the base URL that repository paths are appended to
 * @param apiUrl the REST API base URL, for GitHub App credentials
 * @param caseInsensitive whether repository names compare with ASCII case folded
 * @param credentials how Gitward authenticates to the upstream
 * @param pushOptions push options that are forwarded; any other option rejects the push
 * @param caFile a PEM bundle of trusted certificates in place of the system trust store
 * @param connectTimeout the maximum time to open a connection
 * @param readIdleTimeout the maximum silence while reading a response
 */
public record UpstreamSettings(
    String name,
    URI url,
    Optional<URI> apiUrl,
    boolean caseInsensitive,
    CredentialSettings credentials,
    Set<String> pushOptions,
    Optional<Path> caFile,
    Duration connectTimeout,
    Duration readIdleTimeout) {
  public UpstreamSettings {
    pushOptions = Set.copyOf(pushOptions);
  }
}
