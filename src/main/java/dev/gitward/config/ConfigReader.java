package dev.gitward.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values out of a parsed config tree, recording a problem for every bad value instead
 * of stopping at the first, so one run of {@code check-config} lists them all.
 */
final class ConfigReader {
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KiB|MiB|GiB)?");

  private final Map<String, String> environment;
  private final List<String> problems = new ArrayList<>();

  ConfigReader(Map<String, String> environment) {
    this.environment = environment;
  }

  List<String> problems() {
    return problems;
  }

  void problem(String key, String valueAndExpectation) {
    problems.add(key + ": " + valueAndExpectation);
  }

  /** Records a problem for every member of {@code node} outside {@code allowed}. */
  void checkKeys(JsonNode node, String key, Set<String> allowed) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!allowed.contains(name)) {
                problem(
                    join(key, name),
                    "unknown key (expected one of: " + String.join(", ", sorted(allowed)) + ")");
              }
            });
  }

  Optional<String> string(JsonNode parent, String key, String name) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isValueNode() || node.isBoolean()) {
      problem(join(key, name), describe(node) + " (expected: a string)");
      return Optional.empty();
    }
    return expandEnvironment(join(key, name), node.asText());
  }

  String string(JsonNode parent, String key, String name, String fallback) {
    return string(parent, key, name).orElse(fallback);
  }

  Optional<String> requiredString(JsonNode parent, String key, String name, String expected) {
    Optional<String> value = string(parent, key, name);
    if (value.isEmpty() && !parent.has(name)) {
      problem(join(key, name), "missing (expected: " + expected + ")");
    }
    return value;
  }

  boolean bool(JsonNode parent, String key, String name, boolean fallback) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      problem(join(key, name), describe(node) + " (expected: true or false)");
      return fallback;
    }
    return node.booleanValue();
  }

  Duration duration(JsonNode parent, String key, String name, Duration fallback) {
    return parse(
        parent,
        key,
        name,
        fallback,
        ConfigReader::parseDuration,
        "a duration such as 500ms, 30s, 5m or 1h");
  }

  long size(JsonNode parent, String key, String name, long fallback) {
    return parse(
        parent,
        key,
        name,
        fallback,
        ConfigReader::parseSize,
        "a positive size in bytes, or with a unit such as 16KiB, 1MiB or 2GiB");
  }

  int count(JsonNode parent, String key, String name, int fallback) {
    return parse(parent, key, name, fallback, ConfigReader::parseCount, "a positive integer");
  }

  Optional<URI> httpUrl(JsonNode parent, String key, String name) {
    return string(parent, key, name).flatMap(text -> parseHttpUrl(join(key, name), text));
  }

  Optional<Path> path(JsonNode parent, String key, String name) {
    return string(parent, key, name).map(Path::of);
  }

  Optional<HostPort> hostPort(JsonNode parent, String key, String name, String fallback) {
    String text = string(parent, key, name, fallback);
    try {
      return Optional.of(HostPort.parse(text));
    } catch (IllegalArgumentException e) {
      problem(join(key, name), e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<URI> parseHttpUrl(String key, String text) {
    try {
      URI uri = new URI(text);
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (http
          && uri.getHost() != null
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null
          && uri.getRawUserInfo() == null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // Reported below with the expected form.
    }
    problem(
        key,
        withoutUserInfo(text)
            + " (expected: an http or https URL without user info, query or fragment)");
    return Optional.empty();
  }

  /**
   * Returns {@code url} with anything between {@code //} and the last {@code @} of its authority
   * replaced by its length, because user info there is often a credential.
   */
  static String withoutUserInfo(String url) {
    int start = url.indexOf("//");
    if (start < 0) {
      return url;
    }
    int end = url.indexOf('/', start + 2);
    String authority = end < 0 ? url.substring(start + 2) : url.substring(start + 2, end);
    int at = authority.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    return url.substring(0, start + 2)
        + "(user info of "
        + at
        + " characters)@"
        + url.substring(start + 2 + at + 1);
  }

  private <T> T parse(
      JsonNode parent,
      String key,
      String name,
      T fallback,
      Function<String, T> parser,
      String expected) {
    Optional<String> text = string(parent, key, name);
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      return parser.apply(text.get());
    } catch (IllegalArgumentException e) {
      problem(join(key, name), text.get() + " (expected: " + expected + ")");
      return fallback;
    }
  }

  private Optional<String> expandEnvironment(String key, String text) {
    Matcher matcher = ENV_REFERENCE.matcher(text);
    StringBuilder expanded = new StringBuilder();
    boolean complete = true;
    while (matcher.find()) {
      String value = environment.get(matcher.group(1));
      if (value == null) {
        problem(
            key,
            "${"
                + matcher.group(1)
                + "} is not set (expected: an environment variable"
                + " set before start)");
        complete = false;
        value = "";
      }
      matcher.appendReplacement(expanded, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(expanded);
    return complete ? Optional.of(expanded.toString()) : Optional.empty();
  }

  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(text);
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  static long parseSize(String text) {
    Matcher matcher = SIZE.matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(text);
    }
    String unit = matcher.group(2) == null ? "B" : matcher.group(2);
    int shift =
        switch (unit) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> 0;
        };
    long amount = Long.parseLong(matcher.group(1));
    if (amount <= 0 || amount > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException(text);
    }
    return amount << shift;
  }

  private static int parseCount(String text) {
    int value = Integer.parseInt(text);
    if (value <= 0) {
      throw new IllegalArgumentException(text);
    }
    return value;
  }

  static String join(String key, String name) {
    return key.isEmpty() ? name : key + "." + name;
  }

  private static String describe(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a map";
    }
    return node.asText();
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }
}
