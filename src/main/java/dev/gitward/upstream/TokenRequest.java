package dev.gitward.upstream;

import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An installation token request: the installation, the repository names it is limited to, and the
 * {@code contents} permission. It is also the key of the token cache, so a token is only reused for
 * exactly the scope it was minted for.
 *
 * @param repositories repository names without the owner, in lower case because GitHub compares
 *     them without case
 */
record TokenRequest(long installationId, SortedSet<String> repositories, Permission contents) {
  TokenRequest {
    SortedSet<String> folded = new TreeSet<>();
    repositories.forEach(name -> folded.add(name.toLowerCase(Locale.ROOT)));
    repositories = java.util.Collections.unmodifiableSortedSet(folded);
  }

  static TokenRequest of(long installationId, String repository, Permission contents) {
    return new TokenRequest(installationId, new TreeSet<>(Set.of(repository)), contents);
  }

  /** A level of the {@code contents} permission. */
  enum Permission {
    /** Fetch: {@code contents: read}. */
    READ,
    /** Push: {@code contents: write}. */
    WRITE;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
