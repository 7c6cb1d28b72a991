package dev.gitward.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProtocolLimitsTest {
  @Test
  void defaults_matchGitLimits() {
    assertEquals(new ProtocolLimits(65520, 1024 * 1024, 1000, 255), ProtocolLimits.defaults());
  }

  @Test
  void constructor_rejectsPacketLengthOverGitMaximum() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new ProtocolLimits(65521, 10, 1, 1));
    assertEquals("maxPacketLength: 65521 (expected: 5 to 65520)", error.getMessage());
  }

  @Test
  void constructor_rejectsNonPositiveCounts() {
    assertThrows(IllegalArgumentException.class, () -> new ProtocolLimits(100, 10, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ProtocolLimits(100, 10, 1, 0));
  }
}
