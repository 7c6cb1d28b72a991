package dev.gitward.policy;

import dev.gitward.token.TaskToken;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides what a task token allows on one repository. Instances are cheap and hold no state but the
 * token, the repository and the upstream's case rule.
 */
public final class AccessPolicy {
  private final TaskToken token;
  private final RepositoryName repository;
  private final List<Grant> grants;

  private AccessPolicy(TaskToken token, RepositoryName repository, List<Grant> grants) {
    this.token = token;
    this.repository = repository;
    this.grants = grants;
  }

  /** Returns the policy of {@code token} on {@code repository}. */
  public static AccessPolicy of(
      TaskToken token, RepositoryName repository, boolean caseInsensitive) {
    List<Grant> grants =
        token.grants().stream()
            .filter(grant -> grant.repository().sameAs(repository, caseInsensitive))
            .toList();
    return new AccessPolicy(token, repository, grants);
  }

  /** Decides a ref advertisement, clone, fetch or ls-remote. */
  public Decision fetch() {
    if (grants.isEmpty()) {
      return notGranted();
    }
    if (grants.stream().noneMatch(grant -> grant.actions().contains(Action.FETCH))) {
      return Decision.denied(
          DenyReason.FETCH_NOT_GRANTED,
          "task "
              + token.task()
              + " may not fetch "
              + repository
              + ": the token allows only "
              + describeGrants());
    }
    return Decision.allowed();
  }

  /**
   * Decides the receive-pack ref advertisement and the authentication probe of a push: any push
   * action on the repository allows them.
   */
  public Decision pushAdvertisement() {
    if (grants.isEmpty()) {
      return notGranted();
    }
    if (grants.stream().noneMatch(Grant::allowsAnyPush)) {
      return Decision.denied(
          DenyReason.PUSH_NOT_GRANTED,
          "task "
              + token.task()
              + " may not push to "
              + repository
              + ": the token allows only "
              + describeGrants());
    }
    return Decision.allowed();
  }

  /** Returns whether some grant allows {@code action} on {@code refName}. */
  public boolean allows(Action action, String refName) {
    return grants.stream().anyMatch(grant -> grant.allows(action, refName));
  }

  /** Decides one ref command whose required action is known. */
  public Decision refCommand(Action action, String refName) {
    if (allows(action, refName)) {
      return Decision.allowed();
    }
    return Decision.denied(
        DenyReason.REF_NOT_GRANTED,
        "task "
            + token.task()
            + " may not "
            + action.wireName()
            + " "
            + refName
            + " in "
            + repository
            + ": no grant covers it (the token allows "
            + describeGrants()
            + ")");
  }

  /** Denies an update that was not proven to be a fast-forward. */
  public Decision notFastForward(String refName, String why) {
    return Decision.denied(
        DenyReason.NOT_FAST_FORWARD,
        "task "
            + token.task()
            + " may only fast-forward "
            + refName
            + " in "
            + repository
            + " and "
            + why
            + " (force is not granted; the token allows "
            + describeGrants()
            + ")");
  }

  private Decision notGranted() {
    String granted =
        token.grants().stream()
            .map(grant -> grant.repository().toString())
            .distinct()
            .collect(Collectors.joining(", "));
    return Decision.denied(
        DenyReason.REPOSITORY_NOT_GRANTED,
        "task "
            + token.task()
            + " has no grant for "
            + repository
            + " (the token grants "
            + granted
            + ")");
  }

  /** Returns the grants on this repository in words, such as {@code fetch; create on refs/x}. */
  public String describeGrants() {
    if (grants.isEmpty()) {
      return "nothing on " + repository;
    }
    return grants.stream().map(Grant::describe).collect(Collectors.joining("; "));
  }
}
