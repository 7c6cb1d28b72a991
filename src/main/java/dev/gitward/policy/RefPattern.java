package dev.gitward.policy;

import java.util.regex.Pattern;

/**
 * A full ref name with wildcards: {@code *} matches any characters except {@code /}, {@code **}
 * matches any characters including {@code /}, and everything else matches literally. The whole ref
 * name must match.
 */
public final class RefPattern {
  /** Maximum length of a pattern, equal to git's limit on a ref name. */
  public static final int MAX_LENGTH = 255;

  private final String text;
  private final Pattern compiled;

  private RefPattern(String text, Pattern compiled) {
    this.text = text;
    this.compiled = compiled;
  }

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException naming the pattern and the expected form
   */
  public static RefPattern compile(String text) {
    if (!text.startsWith("refs/") || text.length() > MAX_LENGTH) {
      throw invalid(text, "a full ref name of at most 255 bytes starting with refs/");
    }
    if (text.contains("***")) {
      throw invalid(text, "at most two '*' in a row");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x21 || c == 0x7f || "\\?[~^:".indexOf(c) >= 0) {
        throw invalid(text, "no spaces, control characters or any of \\ ? [ ~ ^ :");
      }
    }
    return new RefPattern(text, Pattern.compile(toRegex(text)));
  }

  private static IllegalArgumentException invalid(String text, String expected) {
    return new IllegalArgumentException("refs: " + text + " (expected: " + expected + ")");
  }

  private static String toRegex(String text) {
    StringBuilder regex = new StringBuilder();
    int literalStart = 0;
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) != '*') {
        i++;
        continue;
      }
      regex.append(Pattern.quote(text.substring(literalStart, i)));
      boolean doubleStar = i + 1 < text.length() && text.charAt(i + 1) == '*';
      regex.append(doubleStar ? ".+" : "[^/]+");
      i += doubleStar ? 2 : 1;
      literalStart = i;
    }
    regex.append(Pattern.quote(text.substring(literalStart)));
    return regex.toString();
  }

  /** Returns whether {@code refName} matches the whole pattern. */
  public boolean matches(String refName) {
    return compiled.matcher(refName).matches();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RefPattern pattern && pattern.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
