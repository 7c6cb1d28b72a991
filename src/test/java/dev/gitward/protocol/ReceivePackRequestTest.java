package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.A;
import static dev.gitward.protocol.Wire.ZERO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReceivePackRequestTest {
  private static final RefCommand DELETE =
      new RefCommand(new GitObjectId(A), new GitObjectId(ZERO), "refs/heads/old");
  private static final RefCommand CREATE =
      new RefCommand(new GitObjectId(ZERO), new GitObjectId(A), "refs/heads/new");

  private static ReceivePackRequest request(List<RefCommand> commands, List<String> caps) {
    return new ReceivePackRequest(List.of(), commands, caps, List.of(), new byte[] {1});
  }

  @Test
  void capabilityValue_returnsValueOfKey() {
    ReceivePackRequest request = request(List.of(CREATE), List.of("agent=git/2.39.5", "quiet"));
    assertEquals(Optional.of("git/2.39.5"), request.capabilityValue("agent"));
    assertEquals(Optional.empty(), request.capabilityValue("quiet"));
  }

  @Test
  void hasCapability_matchesNameAndKey() {
    ReceivePackRequest request = request(List.of(CREATE), List.of("agent=x", "quiet"));
    assertTrue(request.hasCapability("quiet"));
    assertTrue(request.hasCapability("agent"));
    assertFalse(request.hasCapability("agen"));
  }

  @Test
  void sideBand64k_needsExactCapability() {
    assertFalse(request(List.of(CREATE), List.of("side-band")).sideBand64k());
    assertTrue(request(List.of(CREATE), List.of("side-band-64k")).sideBand64k());
  }

  @Test
  void packExpected_falseOnlyWhenAllDelete() {
    assertFalse(request(List.of(DELETE), List.of()).packExpected());
    assertTrue(request(List.of(DELETE, CREATE), List.of()).packExpected());
  }

  @Test
  void head_isCopied() {
    ReceivePackRequest request = request(List.of(CREATE), List.of());
    request.head()[0] = 9;
    assertEquals(1, request.head()[0]);
  }

  @Test
  void constructor_rejectsNoCommands() {
    assertThrows(IllegalArgumentException.class, () -> request(List.of(), List.of()));
  }
}
