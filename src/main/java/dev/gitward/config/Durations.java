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

  /** Formats {@code duration} as the config file writes it, in its largest whole unit. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    if (seconds != 0 && seconds % 86400 == 0) {
      return seconds / 86400 + "d";
    }
    if (seconds != 0 && seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds != 0 && seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
