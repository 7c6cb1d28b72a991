package dev.gitward.policy;

import java.util.Optional;

/**
 * The outcome of a check: allowed, or denied with a reason and a one-line message for the client.
 */
public record Decision(Optional<DenyReason> reason, String message) {
  private static final Decision ALLOWED = new Decision(Optional.empty(), "allowed");

  public static Decision allowed() {
    return ALLOWED;
  }

  public static Decision denied(DenyReason reason, String message) {
    return new Decision(Optional.of(reason), message);
  }

  public boolean isAllowed() {
    return reason.isEmpty();
  }
}
