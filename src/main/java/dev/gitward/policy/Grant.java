package dev.gitward.policy;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A permission in a task token: actions on one repository, and for push actions the refs they apply
 * to.
 */
public record Grant(RepositoryName repository, Set<Action> actions, Optional<RefPattern> refs) {
  public Grant {
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("actions: [] (expected: at least one action)");
    }
    actions = Set.copyOf(EnumSet.copyOf(actions));
    boolean needsRefs = actions.stream().anyMatch(Action::needsRefPattern);
    if (needsRefs && refs.isEmpty()) {
      throw new IllegalArgumentException(
          "refs: missing for "
              + repository
              + " (expected: a ref pattern such as"
              + " refs/heads/agent/** for actions create, update, force and delete)");
    }
    if (!needsRefs && refs.isPresent()) {
      throw new IllegalArgumentException(
          "refs: "
              + refs.get()
              + " on a fetch-only grant for "
              + repository
              + " (expected: no refs, because fetch covers the whole repository)");
    }
  }

  /** Returns whether this grant allows {@code action} on {@code refName}. */
  public boolean allows(Action action, String refName) {
    return actions.contains(action) && refs.map(pattern -> pattern.matches(refName)).orElse(false);
  }

  /** Returns whether any push action is granted. */
  public boolean allowsAnyPush() {
    return actions.stream().anyMatch(Action::needsRefPattern);
  }

  /** Returns a short description such as {@code fetch, create on refs/heads/agent/**}. */
  public String describe() {
    String names =
        actions.stream().sorted().map(Action::wireName).collect(Collectors.joining(", "));
    return refs.map(pattern -> names + " on " + pattern).orElse(names);
  }
}
