package dev.gitward.config;

import java.time.Duration;

/** Parses durations written as in the config file: {@code 500ms}, {@code 30s}, {@code 5m}. */
public final class Durations {
  private Durations() {}

  /**
   * Parses {@code text}; {@code name} names the value in the error.
   *
   * @throws IllegalArgumentException naming the value and the expected form
   */
  public static Duration parse(String name, String text) {
    try {
      return ConfigReader.parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + " " + text + " (expected: a duration such as" + " 500ms, 30s, 5m or 1h)");
    }
  }
}
