package dev.gitward.policy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A repository on a named upstream, such as {@code github.com} and {@code acme/widgets}.
 *
 * <p>The path never carries the optional {@code .git} suffix; {@link #parse} drops it.
 */
public record RepositoryName(String upstream, String path) {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern UPSTREAM = Pattern.compile("[A-Za-z0-9_.:-]+");

  public RepositoryName {
    if (!UPSTREAM.matcher(upstream).matches()) {
      throw new IllegalArgumentException(
          "upstream: " + upstream + " (expected: a name of letters, digits, '.', '_', ':', '-')");
    }
    checkPath(path);
  }

  /**
   * Parses {@code <upstream>/<repository>[.git]}, as grants and command-line flags write it.
   *
   * @throws IllegalArgumentException naming the value and the expected form
   */
  public static RepositoryName parse(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new IllegalArgumentException(
          "repository: "
              + text
              + " (expected: <upstream>/<owner>/<name>, such as"
              + " github.com/acme/widgets)");
    }
    return new RepositoryName(text.substring(0, slash), stripGitSuffix(text.substring(slash + 1)));
  }

  /** Returns the path without a trailing {@code .git}. */
  public static String stripGitSuffix(String path) {
    return path.endsWith(".git") && path.length() > 4 ? path.substring(0, path.length() - 4) : path;
  }

  /** Returns whether {@code segment} is a valid repository path segment. */
  public static boolean isValidSegment(String segment) {
    return SEGMENT.matcher(segment).matches() && !segment.equals(".") && !segment.equals("..");
  }

  private static void checkPath(String path) {
    String[] segments = path.split("/", -1);
    for (String segment : segments) {
      if (!isValidSegment(segment)) {
        throw new IllegalArgumentException(
            "repository: "
                + path
                + " (expected: segments of letters, digits, '.', '_' and '-', separated by single"
                + " slashes, none of them '.' or '..')");
      }
    }
  }

  /** Returns whether this names the same repository as {@code other}. */
  public boolean sameAs(RepositoryName other, boolean caseInsensitive) {
    if (!upstream.equals(other.upstream)) {
      return false;
    }
    return caseInsensitive ? fold(path).equals(fold(other.path)) : path.equals(other.path);
  }

  private static String fold(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return upstream + "/" + path;
  }
}
