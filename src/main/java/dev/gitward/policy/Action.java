package dev.gitward.policy;

import java.util.Locale;
import java.util.Optional;

/** What a grant allows on a repository. */
public enum Action {
  /** Ref advertisement, clone, fetch and ls-remote. */
  FETCH,
  /** Creating a ref whose old id is the zero id. */
  CREATE,
  /** Fast-forwarding an existing ref. */
  UPDATE,
  /** Any update of an existing ref, non-fast-forward included. */
  FORCE,
  /** Deleting a ref (the new id is the zero id). */
  DELETE;

  /** Returns the name used in token claims and on the command line. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns whether this action needs a ref pattern in its grant. */
  public boolean needsRefPattern() {
    return this != FETCH;
  }

  /** Returns the action with the given claim name, or empty when it is unknown. */
  public static Optional<Action> fromWireName(String name) {
    for (Action action : values()) {
      if (action.wireName().equals(name)) {
        return Optional.of(action);
      }
    }
    return Optional.empty();
  }
}
