package dev.gitward.proxy;

import dev.gitward.policy.RepositoryName;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A request target that passed the URL grammar: one of the four smart-HTTP endpoints of a
 * repository on a named upstream.
 *
 * @param upstream the configured upstream's name, the first path segment
 * @param repositoryPath the repository path as the client wrote it, {@code .git} included if
 *     present
 * @param service the git service
 * @param advertisement whether this is {@code GET info/refs} rather than the POST of the service
 */
public record GitRoute(
    String upstream, String repositoryPath, GitService service, boolean advertisement) {
  /** Maximum length of a request path. */
  public static final int MAX_PATH_LENGTH = 1024;

  /** Returns the path suffix that follows the repository in the upstream URL. */
  public String upstreamSuffix() {
    return advertisement ? "/info/refs?service=" + service.wireName() : "/" + service.wireName();
  }

  /**
   * Parses a raw, undecoded request target.
   *
   * @param rawQuery the raw query string, or null when the target has none
   * @throws ProxyRejection with status 400, 404 or 405 and a reason for the client
   */
  public static GitRoute parse(String method, String rawPath, @Nullable String rawQuery)
      throws ProxyRejection {
    checkCharacters(rawPath);
    String[] segments = rawPath.substring(1).split("/", -1);
    for (String segment : segments) {
      if (!RepositoryName.isValidSegment(segment)) {
        throw ProxyRejection.badRequest(
            "invalid path segment '"
                + ProxyRejection.shorten(segment)
                + "' (expected: letters, digits, '.', '_' and '-', never '.' or '..')");
      }
    }
    int count = segments.length;
    if (count >= 3 && segments[count - 2].equals("info") && segments[count - 1].equals("refs")) {
      return advertisement(method, segments, rawQuery);
    }
    for (GitService service : GitService.values()) {
      if (count >= 2 && segments[count - 1].equals(service.wireName())) {
        requireMethod(method, "POST");
        if (rawQuery != null) {
          throw ProxyRejection.badRequest(
              "query string on "
                  + service.wireName()
                  + " (expected: none; a token never travels in the URL)");
        }
        return new GitRoute(segments[0], repository(segments, count - 1), service, false);
      }
    }
    throw ProxyRejection.notFound(
        "only git smart-HTTP endpoints are proxied (expected:"
            + " /{upstream}/{repository}/info/refs, git-upload-pack or git-receive-pack; dumb HTTP,"
            + " LFS and host APIs are not supported)");
  }

  private static GitRoute advertisement(String method, String[] segments, @Nullable String rawQuery)
      throws ProxyRejection {
    requireMethod(method, "GET");
    for (GitService service : GitService.values()) {
      if (("service=" + service.wireName()).equals(rawQuery)) {
        return new GitRoute(segments[0], repository(segments, segments.length - 2), service, true);
      }
    }
    throw ProxyRejection.badRequest(
        "query "
            + (rawQuery == null ? "missing" : "of " + rawQuery.length() + " characters")
            + " on info/refs (expected: exactly service=git-upload-pack or"
            + " service=git-receive-pack)");
  }

  private static String repository(String[] segments, int end) throws ProxyRejection {
    if (end < 2) {
      throw ProxyRejection.badRequest(
          "no repository in the path (expected:" + " /{upstream}/{repository}/...)");
    }
    String path = String.join("/", Arrays.copyOfRange(segments, 1, end));
    String stripped = RepositoryName.stripGitSuffix(path);
    if (stripped.isEmpty() || stripped.endsWith("/")) {
      throw ProxyRejection.badRequest("empty repository name (expected: a name before .git)");
    }
    return path;
  }

  private static void checkCharacters(String rawPath) throws ProxyRejection {
    if (rawPath.length() > MAX_PATH_LENGTH) {
      throw ProxyRejection.badRequest(
          "request path of "
              + rawPath.length()
              + " characters (expected: at most "
              + MAX_PATH_LENGTH
              + ")");
    }
    if (!rawPath.startsWith("/")) {
      throw ProxyRejection.badRequest(
          "request target '"
              + ProxyRejection.shorten(rawPath)
              + "' (expected: an origin-form path starting with /)");
    }
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%' || c == ';' || c == '\\') {
        throw ProxyRejection.badRequest(
            "character '"
                + c
                + "' in the request path (expected: no"
                + " percent-escapes, ';' or '\\')");
      }
    }
  }

  private static void requireMethod(String method, String expected) throws ProxyRejection {
    if (!method.equals(expected)) {
      throw new ProxyRejection(
          405,
          "method "
              + ProxyRejection.shorten(method)
              + " on this endpoint (expected: "
              + expected
              + ")");
    }
  }
}
