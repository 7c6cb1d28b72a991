package dev.gitward.audit;

/** The audit log cannot record a new request, so the request must not reach an upstream. */
public final class AuditUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public AuditUnavailableException(String message) {
    super(message);
  }
}
