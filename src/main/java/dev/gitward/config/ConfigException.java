package dev.gitward.config;

import java.util.List;

/**
 * A configuration file that cannot be used. Each problem names the key, the bad value and the
 * expected form; secrets are described by presence and length, never by their text.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** Returns every problem found, one line each. */
  public List<String> problems() {
    return problems;
  }
}
