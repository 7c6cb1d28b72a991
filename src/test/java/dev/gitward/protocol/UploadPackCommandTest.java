package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.pkt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

class UploadPackCommandTest {
  private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();

  @Test
  void read_returnsCommandAndHead() throws Exception {
    InputStream in = Wire.stream(pkt("command=ls-refs\n") + pkt("agent=git/2.39.5") + "0001");
    UploadPackCommand command =
        assertInstanceOf(UploadPackCommand.class, UploadPackCommand.read(in, LIMITS));
    assertEquals("ls-refs", command.command());
    assertEquals(pkt("command=ls-refs\n"), Wire.text(command.head()));
    assertTrue(command.isForwardable());
    assertEquals(pkt("agent=git/2.39.5") + "0001", Wire.text(in.readAllBytes()));
  }

  @Test
  void read_acceptsMissingLf() throws Exception {
    UploadPackBody body = UploadPackCommand.read(Wire.stream(pkt("command=fetch")), LIMITS);
    assertEquals("fetch", assertInstanceOf(UploadPackCommand.class, body).command());
  }

  @Test
  void isForwardable_falseForOtherCommands() throws Exception {
    UploadPackBody body = UploadPackCommand.read(Wire.stream(pkt("command=object-info\n")), LIMITS);
    assertFalse(assertInstanceOf(UploadPackCommand.class, body).isForwardable());
  }

  @Test
  void read_returnsProbeForExactFlush() throws Exception {
    assertInstanceOf(Probe.class, UploadPackCommand.read(Wire.stream("0000"), LIMITS));
  }

  @Test
  void read_rejectsFlushFollowedByData() {
    ProtocolException error =
        assertThrows(
            ProtocolException.class, () -> UploadPackCommand.read(Wire.stream("00000000"), LIMITS));
    assertEquals("body after 0000: 0000 (expected: end of body for a probe)", error.getMessage());
  }

  @Test
  void read_rejectsProtocolV0Body() {
    ProtocolException error =
        assertThrows(
            ProtocolException.class,
            () -> UploadPackCommand.read(Wire.stream(pkt("want " + Wire.A + "\n")), LIMITS));
    assertEquals(
        "first packet: want " + Wire.A + "\\x0a (expected: command=<name>)", error.getMessage());
  }

  @Test
  void read_rejectsInvalidCommandName() {
    assertThrows(
        ProtocolException.class,
        () -> UploadPackCommand.read(Wire.stream(pkt("command=ls refs\n")), LIMITS));
  }

  @Test
  void read_rejectsDelim() {
    assertThrows(
        ProtocolException.class, () -> UploadPackCommand.read(Wire.stream("0001"), LIMITS));
  }
}
