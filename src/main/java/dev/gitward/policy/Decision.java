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

  /**
   * Returns a denial whose message ends with the reason code in brackets, such as {@code
   * [ref-not-granted]}, which names the page under {@code docs/denials/} that explains it.
   */
  public static Decision denied(DenyReason reason, String message) {
    return new Decision(Optional.of(reason), message + " [" + reason.code() + "]");
  }

  public boolean isAllowed() {
    return reason.isEmpty();
  }
}
