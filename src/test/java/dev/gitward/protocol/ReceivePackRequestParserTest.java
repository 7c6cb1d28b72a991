package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.A;
import static dev.gitward.protocol.Wire.B;
import static dev.gitward.protocol.Wire.ZERO;
import static dev.gitward.protocol.Wire.pkt;
import static dev.gitward.protocol.Wire.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReceivePackRequestParserTest {
  private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();
  private static final String CAPS = "\0 report-status side-band-64k agent=git/2.39.5";

  private static ReceivePackRequest parseRequest(String body) throws Exception {
    return assertInstanceOf(
        ReceivePackRequest.class, ReceivePackRequestParser.parse(stream(body), LIMITS));
  }

  private static String parseError(String body) {
    return assertThrows(
            ProtocolException.class, () -> ReceivePackRequestParser.parse(stream(body), LIMITS))
        .getMessage();
  }

  @Test
  void parse_readsCapturedCreatePush() throws Exception {
    byte[] body = Wire.captured("push-create-two.bin");
    InputStream in = new ByteArrayInputStream(body);
    ReceivePackRequest request =
        assertInstanceOf(ReceivePackRequest.class, ReceivePackRequestParser.parse(in, LIMITS));
    assertEquals(2, request.commands().size());
    assertEquals("refs/heads/main", request.commands().get(0).refName());
    assertEquals(RefCommand.Kind.CREATE, request.commands().get(1).kind());
    assertEquals(
        List.of(
            "report-status-v2", "side-band-64k", "quiet", "object-format=sha1", "agent=git/2.39.5"),
        request.capabilities());
    assertTrue(request.sideBand64k());
    assertTrue(request.packExpected());
    assertEquals("PACK", Wire.text(in.readNBytes(4)));
    assertEquals(Wire.text(body).indexOf("PACK"), request.head().length);
  }

  @Test
  void parse_readsCapturedDeletePush() throws Exception {
    byte[] body = Wire.captured("push-delete.bin");
    ReceivePackRequest request =
        assertInstanceOf(
            ReceivePackRequest.class,
            ReceivePackRequestParser.parse(new ByteArrayInputStream(body), LIMITS));
    assertEquals(RefCommand.Kind.DELETE, request.commands().get(0).kind());
    assertFalse(request.packExpected());
    assertArrayEquals(body, request.head());
  }

  @Test
  void parse_readsCapturedSha256PushWithOptions() throws Exception {
    byte[] body = Wire.captured("push-sha256-options.bin");
    InputStream in = new ByteArrayInputStream(body);
    ReceivePackRequest request =
        assertInstanceOf(ReceivePackRequest.class, ReceivePackRequestParser.parse(in, LIMITS));
    assertEquals(Optional.of("sha256"), request.capabilityValue("object-format"));
    assertEquals(64, request.commands().get(0).newId().hex().length());
    assertEquals(List.of("ci.skip"), request.pushOptions());
    assertEquals("PACK", Wire.text(in.readNBytes(4)));
  }

  @Test
  void parse_returnsProbeForExactFlush() throws Exception {
    assertInstanceOf(Probe.class, ReceivePackRequestParser.parse(stream("0000"), LIMITS));
  }

  @Test
  void parse_rejectsFlushFollowedByData() {
    assertEquals(
        "body after 0000: 0000 (expected: end of body for a probe, or ref commands)",
        parseError("00000000"));
  }

  @Test
  void parse_readsShallowLinesBeforeCommands() throws Exception {
    ReceivePackRequest request =
        parseRequest(pkt("shallow " + B) + pkt(A + " " + B + " refs/heads/main" + CAPS) + "0000");
    assertEquals(List.of(new GitObjectId(B)), request.shallows());
  }

  @Test
  void parse_rejectsShallowAfterCommand() {
    assertEquals(
        "command: shallow " + B + " (expected: shallow lines only before the first command)",
        parseError(pkt(A + " " + B + " refs/heads/main" + CAPS) + pkt("shallow " + B) + "0000"));
  }

  @Test
  void parse_acceptsTrailingLf() throws Exception {
    ReceivePackRequest request =
        parseRequest(
            pkt(A + " " + B + " refs/heads/a" + CAPS + "\n")
                + pkt(A + " " + B + " refs/heads/b\n")
                + "0000PACK");
    assertEquals("refs/heads/b", request.commands().get(1).refName());
  }

  @Test
  void parse_keepsUppercaseLengthInHead() throws Exception {
    String body =
        "00"
            + pkt(A + " " + B + " refs/heads/main").substring(2, 4).toUpperCase()
            + pkt(A + " " + B + " refs/heads/main").substring(4)
            + "0000";
    assertEquals(body, Wire.text(parseRequest(body + "PACK").head()));
  }

  @Test
  void parse_rejectsCapabilitiesOnSecondCommand() {
    String second = A + " " + B + " refs/heads/b\0 side-band-64k";
    assertEquals(
        "command: "
            + ProtocolException.describe(Wire.bytes(second))
            + " (expected: capabilities only after the first command)",
        parseError(pkt(A + " " + B + " refs/heads/a" + CAPS) + pkt(second) + "0000"));
  }

  @Test
  void parse_rejectsNoCommands() {
    assertEquals(
        "commands: none (expected: at least one ref command before the flush)",
        parseError(pkt("shallow " + B) + "0000"));
  }

  @Test
  void parse_rejectsPushCertCapability() {
    assertEquals(
        "push certificate: push-cert=1234 (expected: an unsigned push, because push certificates are rejected)",
        parseError(pkt(A + " " + B + " refs/heads/a\0 push-cert=1234") + "0000"));
  }

  @Test
  void parse_rejectsPushCertPacket() {
    assertEquals(
        "push certificate: push-cert (expected: an unsigned push, because push certificates are rejected)",
        parseError(pkt("push-cert\0 report-status\n") + pkt("certificate version 0.1\n") + "0000"));
  }

  @Test
  void parse_rejectsDuplicateRefNames() {
    assertEquals(
        "ref name: refs/heads/a (expected: at most one command per ref)",
        parseError(
            pkt(A + " " + B + " refs/heads/a" + CAPS)
                + pkt(B + " " + A + " refs/heads/a")
                + "0000"));
  }

  @Test
  void parse_rejectsSha256IdsWithoutObjectFormat() {
    String long1 = "a".repeat(64);
    String long2 = "b".repeat(64);
    assertEquals(
        "command: "
            + ProtocolException.describe(Wire.bytes(long1 + " " + long2 + " refs/heads/a"))
            + " (expected: <old-id> <new-id> <ref-name>)",
        parseError(pkt(long1 + " " + long2 + " refs/heads/a") + "0000"));
  }

  @Test
  void parse_rejectsSha1IdsWithSha256ObjectFormat() {
    assertThrows(
        ProtocolException.class,
        () ->
            ReceivePackRequestParser.parse(
                stream(pkt(A + " " + B + " refs/heads/a\0 object-format=sha256") + "0000"),
                LIMITS));
  }

  @Test
  void parse_rejectsMixedIdLengths() {
    String long2 = "b".repeat(64);
    assertTrue(parseError(pkt(A + " " + long2 + " refs/heads/a") + "0000").startsWith("command: "));
  }

  @Test
  void parse_rejectsShallowIdOfWrongLength() {
    assertEquals(
        "shallow id: "
            + "b".repeat(64)
            + " (expected: 40 lowercase hex digits, as object-format is sha1)",
        parseError(pkt("shallow " + "b".repeat(64)) + pkt(A + " " + B + " refs/heads/a") + "0000"));
  }

  @Test
  void parse_rejectsUnknownObjectFormat() {
    assertEquals(
        "object-format: sha512 (expected: sha1 or sha256)",
        parseError(pkt(A + " " + B + " refs/heads/a\0 object-format=sha512") + "0000"));
  }

  @Test
  void parse_rejectsUppercaseIds() {
    assertEquals(
        "old id: "
            + "A".repeat(40)
            + " (expected: 40 lowercase hex digits, as object-format is sha1)",
        parseError(pkt("A".repeat(40) + " " + B + " refs/heads/a") + "0000"));
  }

  @Test
  void parse_rejectsBothIdsZero() {
    assertEquals(
        "command: "
            + ProtocolException.describe(Wire.bytes(ZERO + " " + ZERO + " refs/heads/a"))
            + " (expected: at most one of the two ids zero)",
        parseError(pkt(ZERO + " " + ZERO + " refs/heads/a") + "0000"));
  }

  @Test
  void parse_rejectsInvalidRefName() {
    assertEquals(
        "ref name: refs/heads/a..b (expected: a valid git ref name, but it contains '..')",
        parseError(pkt(A + " " + B + " refs/heads/a..b") + "0000"));
  }

  @Test
  void parse_rejectsLfInsideRefName() {
    assertEquals(
        "ref name: refs/heads/a\\x0ab (expected: no LF inside a ref name)",
        parseError(pkt(A + " " + B + " refs/heads/a\nb") + "0000"));
  }

  @Test
  void parse_rejectsInvalidUtf8InRefName() {
    assertEquals(
        "ref name: refs/heads/\\xc3( (expected: valid UTF-8)",
        parseError(pkt(A + " " + B + " refs/heads/\u00c3(") + "0000"));
  }

  @Test
  void parse_acceptsUtf8RefName() throws Exception {
    ReceivePackRequest request =
        parseRequest(pkt(A + " " + B + " refs/heads/caf\u00c3\u00a9") + "0000");
    assertEquals("refs/heads/caf\u00e9", request.commands().get(0).refName());
  }

  @Test
  void parse_rejectsTooManyCommands() {
    ProtocolLimits limits = new ProtocolLimits(65520, 1 << 20, 2, 255);
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      body.append(pkt(A + " " + B + " refs/heads/b" + i));
    }
    ProtocolException error =
        assertThrows(
            ProtocolException.class,
            () -> ReceivePackRequestParser.parse(stream(body + "0000"), limits));
    assertEquals(
        "commands: 3 (expected: at most 2 ref commands, limits.commands)", error.getMessage());
  }

  @Test
  void parse_rejectsCommandSectionOverLimit() {
    ProtocolLimits limits = new ProtocolLimits(65520, 150, 1000, 255);
    String body = pkt(A + " " + B + " refs/heads/a") + pkt(A + " " + B + " refs/heads/b");
    ProtocolException error =
        assertThrows(
            ProtocolException.class,
            () -> ReceivePackRequestParser.parse(stream(body + "0000"), limits));
    assertEquals(
        "command section: more than 150 bytes (expected: at most 150 bytes, limits.command-section)",
        error.getMessage());
  }

  @Test
  void parse_rejectsDelimPacket() {
    assertEquals(
        "pkt-line: DELIM (expected: data or flush)",
        parseError(pkt(A + " " + B + " refs/heads/a") + "0001"));
  }

  @Test
  void parse_rejectsResponseEndPacket() {
    assertThrows(
        ProtocolException.class,
        () ->
            ReceivePackRequestParser.parse(
                stream(pkt(A + " " + B + " refs/heads/a") + "0002"), LIMITS));
  }

  @Test
  void parse_rejectsMissingFlush() {
    assertEquals(
        "pkt-line: end of stream (expected: another packet)",
        parseError(pkt(A + " " + B + " refs/heads/a")));
  }

  @Test
  void parse_rejectsDataAfterDeleteOnlyCommands() {
    assertEquals(
        "body after commands: PACK (expected: end of body, because every command is a delete)",
        parseError(pkt(A + " " + ZERO + " refs/heads/a") + "0000PACK"));
  }

  @Test
  void parse_readsPushOptionsUpToSecondFlush() throws Exception {
    InputStream in =
        stream(
            pkt(A + " " + B + " refs/heads/a\0 push-options")
                + "0000"
                + pkt("ci.skip\n")
                + pkt("x=y")
                + "0000PACK");
    ReceivePackRequest request =
        assertInstanceOf(ReceivePackRequest.class, ReceivePackRequestParser.parse(in, LIMITS));
    assertEquals(List.of("ci.skip", "x=y"), request.pushOptions());
    assertEquals("PACK", Wire.text(in.readAllBytes()));
  }

  @Test
  void parse_rejectsNulInPushOption() {
    assertEquals(
        "push option: a\\x00b (expected: one line without NUL or LF)",
        parseError(
            pkt(A + " " + B + " refs/heads/a\0 push-options") + "0000" + pkt("a\0b") + "0000"));
  }

  @Test
  void parse_rejectsGarbageLine() {
    assertEquals(
        "command: hello (expected: <old-id> <new-id> <ref-name>)",
        parseError(pkt("hello") + "0000"));
  }

  @Test
  void parse_rejectsNonPrintableCapability() {
    assertEquals(
        "capability: agent=\\x01 (expected: printable ASCII without spaces)",
        parseError(pkt(A + " " + B + " refs/heads/a\0 agent=\u0001") + "0000"));
  }
}
