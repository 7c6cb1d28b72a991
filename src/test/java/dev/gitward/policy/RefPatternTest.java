package dev.gitward.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RefPatternTest {
  @Test
  void doubleStar_matchesNestedNames() {
    RefPattern pattern = RefPattern.compile("refs/heads/agent/t1/**");
    assertTrue(pattern.matches("refs/heads/agent/t1/a"));
    assertTrue(pattern.matches("refs/heads/agent/t1/a/b"));
    assertFalse(pattern.matches("refs/heads/agent/t1"));
    assertFalse(pattern.matches("refs/heads/agent/t1/"));
    assertFalse(pattern.matches("refs/heads/agent/t10/a"));
  }

  @Test
  void singleStar_stopsAtSlash() {
    RefPattern pattern = RefPattern.compile("refs/heads/agent/*");
    assertTrue(pattern.matches("refs/heads/agent/x"));
    assertFalse(pattern.matches("refs/heads/agent/x/y"));
    assertFalse(pattern.matches("refs/heads/agent/"));
  }

  @Test
  void literal_isAnchoredAtBothEnds() {
    RefPattern pattern = RefPattern.compile("refs/heads/main");
    assertTrue(pattern.matches("refs/heads/main"));
    assertFalse(pattern.matches("refs/heads/main2"));
    assertFalse(pattern.matches("xrefs/heads/main"));
    assertFalse(pattern.matches("refs/heads/Main"));
  }

  @Test
  void regexCharacters_matchLiterally() {
    RefPattern pattern = RefPattern.compile("refs/heads/a.b+c(d)");
    assertTrue(pattern.matches("refs/heads/a.b+c(d)"));
    assertFalse(pattern.matches("refs/heads/aXb+c(d)"));
  }

  @Test
  void starInsideSegment_matchesPartOfSegment() {
    RefPattern pattern = RefPattern.compile("refs/tags/v*-rc");
    assertTrue(pattern.matches("refs/tags/v1.2-rc"));
    assertFalse(pattern.matches("refs/tags/v1/2-rc"));
  }

  @Test
  void compile_rejectsPatternsOutsideRefs() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> RefPattern.compile("heads/main"));
    assertEquals(
        "refs: heads/main (expected: a full ref name of at most 255 bytes starting with refs/)",
        error.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RefPattern.compile("refs/heads/***"));
    assertThrows(IllegalArgumentException.class, () -> RefPattern.compile("refs/heads/a b"));
    assertThrows(IllegalArgumentException.class, () -> RefPattern.compile("refs/heads/a?"));
  }
}
