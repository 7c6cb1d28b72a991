package dev.gitward.protocol;

/**
 * One ref update of a push: {@code <old-id> <new-id> <ref-name>}.
 *
 * @param oldId the id the client expects the ref to have now; zero when creating
 * @param newId the id the ref should get; zero when deleting
 * @param refName the full ref name
 */
public record RefCommand(GitObjectId oldId, GitObjectId newId, String refName) {
  /** Effect of a ref command on its ref. */
  public enum Kind {
    /** The old id is zero: the ref does not exist yet. */
    CREATE,
    /** Both ids are non-zero. */
    UPDATE,
    /** The new id is zero: the ref is removed. */
    DELETE
  }

  /**
   * Validates the ids.
   *
   * @throws IllegalArgumentException if the ids differ in length or both are zero
   */
  public RefCommand {
    if (oldId.hex().length() != newId.hex().length()) {
      throw new IllegalArgumentException(
          "newId: " + newId + " (expected: the length of oldId " + oldId + ")");
    }
    if (oldId.isZero() && newId.isZero()) {
      throw new IllegalArgumentException("oldId and newId: both zero (expected: at most one zero)");
    }
  }

  /** Returns whether this command creates, updates or deletes its ref. */
  public Kind kind() {
    if (oldId.isZero()) {
      return Kind.CREATE;
    }
    return newId.isZero() ? Kind.DELETE : Kind.UPDATE;
  }
}
