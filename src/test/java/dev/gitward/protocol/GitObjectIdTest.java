package dev.gitward.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GitObjectIdTest {
  @Test
  void parse_acceptsSha1AndSha256() throws Exception {
    assertEquals(Wire.A, GitObjectId.parse(Wire.A).toString());
    assertEquals(64, GitObjectId.parse("0123456789abcdef".repeat(4)).hex().length());
  }

  @Test
  void parse_rejectsUppercase() {
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> GitObjectId.parse("A".repeat(40)));
    assertEquals(
        "object id: " + "A".repeat(40) + " (expected: 40 or 64 lowercase hex digits)",
        error.getMessage());
  }

  @Test
  void parse_rejectsOtherLengthsAndCharacters() {
    for (String text : new String[] {"", "a".repeat(39), "a".repeat(41), "g".repeat(40)}) {
      assertThrows(ProtocolException.class, () -> GitObjectId.parse(text), text);
    }
  }

  @Test
  void parse_shortensLongValuesInMessage() {
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> GitObjectId.parse("\n".repeat(500)));
    assertEquals(
        "object id: " + "\\x0a".repeat(19) + "... (expected: 40 or 64 lowercase hex digits)",
        error.getMessage());
  }

  @Test
  void constructor_rejectsInvalidHex() {
    assertThrows(IllegalArgumentException.class, () -> new GitObjectId("xyz"));
  }

  @Test
  void zero_hasRequestedLength() {
    assertTrue(GitObjectId.zero(40).isZero());
    assertEquals(64, GitObjectId.zero(64).hex().length());
    assertThrows(IllegalArgumentException.class, () -> GitObjectId.zero(41));
  }

  @Test
  void isZero_falseForOtherIds() {
    assertFalse(new GitObjectId("0".repeat(39) + "1").isZero());
  }
}
