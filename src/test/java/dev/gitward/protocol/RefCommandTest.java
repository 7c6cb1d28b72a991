package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.A;
import static dev.gitward.protocol.Wire.B;
import static dev.gitward.protocol.Wire.ZERO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RefCommandTest {
  private static RefCommand command(String oldHex, String newHex) {
    return new RefCommand(new GitObjectId(oldHex), new GitObjectId(newHex), "refs/heads/main");
  }

  @Test
  void kind_followsZeroIds() {
    assertEquals(RefCommand.Kind.CREATE, command(ZERO, A).kind());
    assertEquals(RefCommand.Kind.DELETE, command(A, ZERO).kind());
    assertEquals(RefCommand.Kind.UPDATE, command(A, B).kind());
  }

  @Test
  void constructor_rejectsBothZero() {
    assertThrows(IllegalArgumentException.class, () -> command(ZERO, ZERO));
  }

  @Test
  void constructor_rejectsMixedLengths() {
    assertThrows(IllegalArgumentException.class, () -> command(A, "b".repeat(64)));
  }
}
