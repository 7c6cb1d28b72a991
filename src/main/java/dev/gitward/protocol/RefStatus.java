package dev.gitward.protocol;

import java.util.Optional;

/**
 * The outcome of one ref command in a receive-pack report.
 *
 * @param refName the full ref name as the client sent it
 * @param rejectReason empty for {@code ok}, otherwise the reason of an {@code ng} line
 */
public record RefStatus(String refName, Optional<String> rejectReason) {
  /** Returns a status for an accepted ref. */
  public static RefStatus ok(String refName) {
    return new RefStatus(refName, Optional.empty());
  }

  /** Returns a status for a rejected ref. */
  public static RefStatus rejected(String refName, String reason) {
    return new RefStatus(refName, Optional.of(reason));
  }

  /** Returns whether the ref was accepted. */
  public boolean isOk() {
    return rejectReason.isEmpty();
  }
}
