package dev.gitward.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads sample values out of a Prometheus text-format scrape. */
public final class PrometheusText {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PrometheusText() {}

  /**
   * Returns the sum of the samples of {@code name} whose labels include {@code labels}, or 0 when
   * none matches.
   */
  public static double sum(String scrape, String name, Map<String, String> labels) {
    double total = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String metric = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      if (!metric.equals(name)) {
        continue;
      }
      Map<String, String> found = new HashMap<>();
      if (brace >= 0) {
        Matcher matcher = LABEL.matcher(line.substring(brace, line.lastIndexOf('}')));
        while (matcher.find()) {
          found.put(matcher.group(1), matcher.group(2));
        }
      }
      if (found.entrySet().containsAll(labels.entrySet())) {
        total += Double.parseDouble(line.substring(space + 1));
      }
    }
    return total;
  }
}
