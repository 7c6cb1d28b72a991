package dev.gitward.upstream;

import dev.gitward.policy.RepositoryName;
import java.util.Optional;

/** No credential, for an upstream that serves anonymous requests. */
public final class AnonymousCredential implements UpstreamCredential {
  @Override
  public Optional<String> authorization(RepositoryName repository, boolean write) {
    return Optional.empty();
  }

  @Override
  public boolean answersAtOnce(RepositoryName repository, boolean write) {
    return true;
  }

  @Override
  public String toString() {
    return "AnonymousCredential";
  }
}
