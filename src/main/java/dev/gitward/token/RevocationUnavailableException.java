package dev.gitward.token;

/**
 * The revocation store could not be consulted or updated, for example because a shared store is
 * unreachable. Verification treats it as a rejection, never as "not revoked".
 */
public final class RevocationUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public RevocationUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
