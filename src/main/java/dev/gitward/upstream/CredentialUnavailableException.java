package dev.gitward.upstream;

/**
 * A credential that could not be obtained. The message is shown to the client, so it never contains
 * a secret.
 */
public class CredentialUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean temporary;

  /**
   * @param temporary whether the same request can succeed later without operator action, such as
   *     after a rate limit resets
   */
  public CredentialUnavailableException(String message, boolean temporary) {
    super(message);
    this.temporary = temporary;
  }

  public CredentialUnavailableException(String message) {
    this(message, false);
  }

  /** Returns whether a retry can succeed later; the proxy then responds with 503 instead of 502. */
  public boolean temporary() {
    return temporary;
  }
}
