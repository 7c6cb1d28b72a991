package dev.gitward.upstream;

/** A credential that could not be obtained. The message never contains a secret. */
public final class CredentialUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public CredentialUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public CredentialUnavailableException(String message) {
    super(message);
  }
}
