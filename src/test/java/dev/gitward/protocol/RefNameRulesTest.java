package dev.gitward.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RefNameRulesTest {
  /** Names under refs/, where the rules must agree with git check-ref-format exactly. */
  private static final List<String> NAMES =
      List.of(
          "refs/heads/main",
          "refs/heads/feature/x",
          "refs/tags/v1.0",
          "refs/heads/a.b",
          "refs/heads/-dash",
          "refs/heads/HEAD",
          "refs/heads/@",
          "refs/heads/a@b",
          "refs/heads/a@{b",
          "refs/heads/@{",
          "refs/heads/a{b}",
          "refs/heads/a..b",
          "refs/heads/a.",
          "refs/heads/a./b",
          "refs/heads/.a",
          "refs/heads/a/.b",
          "refs/heads/.",
          "refs/heads/..",
          "refs/heads/a.lock",
          "refs/heads/a.lock/b",
          "refs/heads/a.lockx",
          "refs/heads/.lock",
          "refs/heads/lock",
          "refs/heads/a/",
          "refs/heads//a",
          "refs//heads",
          "refs/",
          "refs/x",
          "refs/heads/a b",
          "refs/heads/a\tb",
          "refs/heads/a\u0001b",
          "refs/heads/a\u001fb",
          "refs/heads/a\u007fb",
          "refs/heads/a~1",
          "refs/heads/a^",
          "refs/heads/a:b",
          "refs/heads/a?",
          "refs/heads/a*",
          "refs/heads/*",
          "refs/heads/a[b",
          "refs/heads/a]b",
          "refs/heads/a\\b",
          "refs/heads/a!b",
          "refs/heads/a#b",
          "refs/heads/a$b",
          "refs/heads/a%b",
          "refs/heads/a&b",
          "refs/heads/a'b",
          "refs/heads/a\"b",
          "refs/heads/a(b)",
          "refs/heads/a+b",
          "refs/heads/a,b",
          "refs/heads/a;b",
          "refs/heads/a<b>",
          "refs/heads/a=b",
          "refs/heads/a|b",
          "refs/heads/a`b",
          "refs/heads/caf\u00e9",
          "refs/heads/\u6f22\u5b57",
          "refs/heads/emoji\ud83d\ude00",
          "refs/heads/a-.b",
          "refs/heads/a_b",
          "refs/heads/{}",
          "refs/heads/@@",
          "refs/heads/a/b/c/d/e");

  @Test
  void check_agreesWithGitCheckRefFormat() throws Exception {
    Assumptions.assumeTrue(gitAvailable(), "git is not installed");
    for (String name : NAMES) {
      boolean gitAccepts = gitCheckRefFormat(name);
      Optional<String> problem = RefNameRules.check(name, 255);
      assertEquals(gitAccepts, problem.isEmpty(), name + ": " + problem);
    }
  }

  @Test
  void check_rejectsNamesOutsideRefsThatGitAccepts() throws Exception {
    assertEquals(
        Optional.of("it does not start with refs/"), RefNameRules.check("heads/main", 255));
    assertFalse(RefNameRules.check("@", 255).isEmpty());
    assertFalse(RefNameRules.check("HEAD", 255).isEmpty());
    assertFalse(RefNameRules.check("refs", 255).isEmpty());
  }

  @Test
  void check_rejectsLoneSurrogate() {
    assertEquals(
        Optional.of("it is not valid Unicode"), RefNameRules.check("refs/heads/a\ud800b", 255));
  }

  @Test
  void check_countsLengthInUtf8Bytes() {
    String name = "refs/heads/" + "\u00e9".repeat(122);
    assertTrue(RefNameRules.check(name, 255).isEmpty());
    assertEquals(
        Optional.of("it is longer than 255 bytes, limits.ref-name"),
        RefNameRules.check(name + "\u00e9", 255));
  }

  @Test
  void check_describesProblem() {
    assertEquals(Optional.of("it contains '..'"), RefNameRules.check("refs/heads/a..b", 255));
    assertEquals(
        Optional.of("a component ends with '.lock'"), RefNameRules.check("refs/heads/x.lock", 255));
  }

  private static boolean gitAvailable() {
    try {
      return new ProcessBuilder("git", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static boolean gitCheckRefFormat(String name) throws Exception {
    Process process =
        new ProcessBuilder("git", "check-ref-format", name)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("git check-ref-format: timed out on " + name);
    }
    return process.exitValue() == 0;
  }
}
