package dev.gitward.upstream;

import dev.gitward.config.UpstreamSettings;
import dev.gitward.policy.RepositoryName;
import java.net.URI;

/** A configured upstream with its credential source and its forwarding client. */
public record Upstream(
    UpstreamSettings settings, UpstreamCredential credential, UpstreamClient client)
    implements AutoCloseable {

  public String name() {
    return settings.name();
  }

  /**
   * Returns the upstream URL of a repository path and a suffix such as {@code /info/refs}. The
   * parts were validated by the request grammar, so no escaping is needed.
   */
  public URI resolve(String repositoryPath, String suffix) {
    String base = settings.url().toString();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/" + repositoryPath + suffix);
  }

  /** Returns the repository name on this upstream. */
  public RepositoryName repository(String path) {
    return new RepositoryName(name(), RepositoryName.stripGitSuffix(path));
  }

  @Override
  public void close() {
    client.close();
    credential.close();
  }
}
