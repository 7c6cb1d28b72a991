package dev.gitward.upstream;

import dev.gitward.policy.RepositoryName;
import java.util.Optional;

/**
 * The real credential that Gitward attaches to a forwarded request. Implementations mask the secret
 * in {@code toString}.
 */
public interface UpstreamCredential extends AutoCloseable {
  /**
   * Returns the {@code Authorization} header value for a request on {@code repository}, or empty
   * for an anonymous upstream.
   *
   * @param write whether the request may change the repository (a push)
   * @throws CredentialUnavailableException when no credential can be had; the request must then be
   *     rejected, never forwarded without one
   */
  Optional<String> authorization(RepositoryName repository, boolean write)
      throws CredentialUnavailableException;

  /**
   * Returns whether {@link #authorization} for {@code repository} returns at once, without network
   * I/O or a lock that such I/O holds, so that an event-loop thread may call it. The default is
   * false, which sends the request to a worker thread.
   */
  default boolean answersAtOnce(RepositoryName repository, boolean write) {
    return false;
  }

  /** Returns whether the source is ready to provide credentials. */
  default boolean isReady() {
    return true;
  }

  /** Releases the source's resources, such as the API client of a GitHub App. */
  @Override
  default void close() {}
}
