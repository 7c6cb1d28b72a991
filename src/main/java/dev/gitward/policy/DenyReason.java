package dev.gitward.policy;

import java.util.Locale;

/**
 * The cause of a rejected request or ref command. The {@link #code} names the page under {@code
 * docs/denials/} that explains it, and is the value of the {@code reason} audit field and metric
 * tag.
 */
public enum DenyReason {
  /** No grant of the token names the repository. */
  REPOSITORY_NOT_GRANTED,
  /** The token has grants on the repository, but none with {@code fetch}. */
  FETCH_NOT_GRANTED,
  /** The token may fetch the repository but has no push action on it. */
  PUSH_NOT_GRANTED,
  /** No grant allows this action on this ref. */
  REF_NOT_GRANTED,
  /** An update that the pushed pack does not prove to be a fast-forward, without {@code force}. */
  NOT_FAST_FORWARD,
  /** The ref name fails git's {@code check-ref-format} rules. */
  INVALID_REF_NAME,
  /** This command was allowed, but another command of the same push was denied. */
  OTHER_REF_DENIED,
  /** A push option that the upstream's configuration does not list. */
  PUSH_OPTION_NOT_ALLOWED,
  /** The pushed pack refers to objects outside itself or cannot be read. */
  INVALID_PACK,
  /** The ref is a symbolic ref on the upstream, so a push would move its target. */
  SYMBOLIC_REF;

  /** Returns the kebab-case code, such as {@code ref-not-granted}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
