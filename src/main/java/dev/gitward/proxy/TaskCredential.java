package dev.gitward.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads the task token from a request's {@code Authorization} header: the password of HTTP Basic
 * (any username), or a Bearer token. Exactly one header is accepted.
 */
final class TaskCredential {
  private TaskCredential() {}

  /**
   * Returns the token text.
   *
   * @param headers every {@code Authorization} value of the request
   * @param maxLength the token limit; the header may be a little longer for its scheme and Basic's
   *     base64
   * @throws ProxyRejection 401 with the challenge when there is no credential, 400 when there are
   *     several or the header is malformed
   */
  static String extract(List<String> headers, int maxLength) throws ProxyRejection {
    if (headers.isEmpty()) {
      throw ProxyRejection.unauthorized(
          "authentication required: send the task token as the"
              + " Basic password or as Authorization: Bearer <token>");
    }
    if (headers.size() > 1) {
      throw ProxyRejection.badRequest(
          headers.size()
              + " Authorization headers (expected: exactly"
              + " one; check http.extraHeader and credential helpers)");
    }
    String header = headers.get(0).strip();
    int headerLimit = maxLength / 3 * 4 + 1024;
    if (header.length() > headerLimit) {
      throw ProxyRejection.unauthorized(
          "Authorization header of "
              + header.length()
              + " characters (expected: a task token of at most "
              + maxLength
              + " bytes, tokens.max-size)");
    }
    int space = header.indexOf(' ');
    String scheme = space < 0 ? header : header.substring(0, space);
    String value = space < 0 ? "" : header.substring(space + 1).strip();
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "bearer" -> requireToken(value);
      case "basic" -> requireToken(basicPassword(value));
      default ->
          throw ProxyRejection.unauthorized(
              "Authorization scheme '"
                  + ProxyRejection.shorten(scheme)
                  + "' (expected: Basic or Bearer)");
    };
  }

  private static String basicPassword(String value) throws ProxyRejection {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw ProxyRejection.unauthorized(
          "Basic credentials are not valid base64 (expected:" + " base64 of username:token)");
    }
    String pair = new String(decoded, StandardCharsets.UTF_8);
    int colon = pair.indexOf(':');
    if (colon < 0) {
      throw ProxyRejection.unauthorized(
          "Basic credentials without a password (expected: any"
              + " username and the task token as password)");
    }
    return pair.substring(colon + 1);
  }

  private static String requireToken(String token) throws ProxyRejection {
    if (token.isEmpty()) {
      throw ProxyRejection.unauthorized(
          "empty task token (expected: the token that Gitward" + " minted for this task)");
    }
    return token;
  }
}
