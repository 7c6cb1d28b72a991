package dev.gitward.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The rules of {@code git check-ref-format} for a full ref name, as git 2.39 applies them without
 * {@code --allow-onelevel}, {@code --refspec-pattern} or {@code --normalize}, plus two stricter
 * rules: the name must start with {@code refs/} and must be valid Unicode. Git itself accepts any
 * bytes of 0x80 and above.
 */
public final class RefNameRules {
  private static final String LOCK_SUFFIX = ".lock";
  private static final String FORBIDDEN = " ~^:?*[\\";

  private RefNameRules() {}

  /**
   * Checks a full ref name.
   *
   * @param refName the ref name, such as {@code refs/heads/main}
   * @param maxBytes maximum length of the name in UTF-8 bytes
   * @return a description of the first rule the name breaks, or empty if it is valid
   */
  public static Optional<String> check(String refName, int maxBytes) {
    if (!refName.startsWith("refs/")) {
      return Optional.of("it does not start with refs/");
    }
    if (refName.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      return Optional.of("it is longer than " + maxBytes + " bytes, limits.ref-name");
    }
    Optional<String> problem = checkCharacters(refName);
    if (problem.isPresent()) {
      return problem;
    }
    if (refName.endsWith(".")) {
      return Optional.of("it ends with '.'");
    }
    for (String component : refName.split("/", -1)) {
      problem = checkComponent(component);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> checkCharacters(String refName) {
    for (int i = 0; i < refName.length(); i++) {
      char c = refName.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("it contains a control character");
      }
      if (FORBIDDEN.indexOf(c) >= 0) {
        return Optional.of("it contains '" + c + "'");
      }
      if (Character.isSurrogate(c) && !isSurrogatePair(refName, i++)) {
        return Optional.of("it is not valid Unicode");
      }
    }
    if (refName.contains("..")) {
      return Optional.of("it contains '..'");
    }
    if (refName.contains("@{")) {
      return Optional.of("it contains '@{'");
    }
    return Optional.empty();
  }

  private static boolean isSurrogatePair(String text, int index) {
    return Character.isHighSurrogate(text.charAt(index))
        && index + 1 < text.length()
        && Character.isLowSurrogate(text.charAt(index + 1));
  }

  private static Optional<String> checkComponent(String component) {
    if (component.isEmpty()) {
      return Optional.of("it has an empty component, from '//' or a trailing '/'");
    }
    if (component.startsWith(".")) {
      return Optional.of("a component starts with '.'");
    }
    if (component.endsWith(LOCK_SUFFIX)) {
      return Optional.of("a component ends with '.lock'");
    }
    return Optional.empty();
  }
}
