package dev.gitward.proxy;

/**
 * A request that Gitward rejects itself with an HTTP error and a one-line {@code text/plain}
 * reason. The reason is shown to the client, so it never contains a credential.
 */
public final class ProxyRejection extends Exception {
  private static final long serialVersionUID = 1L;
  private static final int MAX_QUOTED = 80;

  private final int status;
  private final boolean challenge;

  public ProxyRejection(int status, String reason) {
    this(status, reason, false);
  }

  private ProxyRejection(int status, String reason, boolean challenge) {
    super(reason);
    this.status = status;
    this.challenge = challenge;
  }

  static ProxyRejection badRequest(String reason) {
    return new ProxyRejection(400, reason);
  }

  static ProxyRejection notFound(String reason) {
    return new ProxyRejection(404, reason);
  }

  static ProxyRejection forbidden(String reason) {
    return new ProxyRejection(403, reason);
  }

  /** A 401 that carries the Basic challenge, so git requests a credential from its helpers. */
  static ProxyRejection unauthorized(String reason) {
    return new ProxyRejection(401, reason, true);
  }

  public int status() {
    return status;
  }

  /** Returns whether the response carries {@code WWW-Authenticate: Basic realm="gitward"}. */
  public boolean challenge() {
    return challenge;
  }

  /** Returns {@code text} cut to a length fit for a message, with non-printable bytes escaped. */
  public static String shorten(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < MAX_QUOTED; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\x%02x", (int) c & 0xff));
      }
    }
    return text.length() > MAX_QUOTED ? out + "..." : out.toString();
  }
}
