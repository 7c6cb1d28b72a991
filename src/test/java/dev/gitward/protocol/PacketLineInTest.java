package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

class PacketLineInTest {
  private static PacketLineIn reader(String text) {
    return new PacketLineIn(stream(text), ProtocolLimits.defaults());
  }

  @Test
  void readPacket_returnsDataPayload() throws Exception {
    Packet packet = reader("0009hello").readPacket();
    assertEquals(Packet.Type.DATA, packet.type());
    assertArrayEquals(Wire.bytes("hello"), packet.payload());
  }

  @Test
  void readPacket_returnsControlPackets() throws Exception {
    PacketLineIn in = reader("000000010002");
    assertEquals(Packet.Type.FLUSH, in.readPacket().type());
    assertEquals(Packet.Type.DELIM, in.readPacket().type());
    assertEquals(Packet.Type.RESPONSE_END, in.readPacket().type());
  }

  @Test
  void readPacket_acceptsUppercaseHexLikeGit() throws Exception {
    String payload = "x".repeat(0x1a - 4);
    assertArrayEquals(Wire.bytes(payload), reader("001A" + payload).readPacket().payload());
  }

  @Test
  void readPacketOrEnd_reportsEndAtBoundary() throws Exception {
    PacketLineIn in = reader("0000");
    assertEquals(Packet.Type.FLUSH, in.readPacketOrEnd().type());
    assertEquals(Packet.Type.END_OF_STREAM, in.readPacketOrEnd().type());
  }

  @Test
  void readPacket_rejectsEndOfStream() {
    ProtocolException error = assertThrows(ProtocolException.class, () -> reader("").readPacket());
    assertEquals("pkt-line: end of stream (expected: another packet)", error.getMessage());
  }

  @Test
  void readPacket_rejectsTruncatedPayload() {
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> reader("000ahel").readPacket());
    assertEquals(
        "pkt-line 000a: 3 of 6 payload bytes (expected: a complete packet, stream truncated)",
        error.getMessage());
  }

  @Test
  void readPacket_rejectsTruncatedLength() {
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> reader("00").readPacket());
    assertEquals(
        "pkt-line length: 00 (expected: four hex digits, stream truncated)", error.getMessage());
  }

  @Test
  void readPacket_rejectsLengthsThreeAndFour() {
    assertThrows(ProtocolException.class, () -> reader("0003").readPacket());
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> reader("0004").readPacket());
    assertEquals(
        "pkt-line length: 0004 (expected: 0000, 0001, 0002 or 0005 and above)", error.getMessage());
  }

  @Test
  void readPacket_rejectsNonHexLength() {
    for (String header : new String[] {"00g5", "+005", " 005", "0x05", "\u00b2005"}) {
      assertThrows(ProtocolException.class, () -> reader(header + "abcd").readPacket(), header);
    }
  }

  @Test
  void readPacket_rejectsLengthOverLimit() {
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> reader("fff1").readPacket());
    assertEquals(
        "pkt-line length: fff1 (expected: at most 65520 bytes, limits.pkt-line)",
        error.getMessage());
  }

  @Test
  void readPacket_acceptsMaximumLength() throws Exception {
    String payload = "p".repeat(65520 - 4);
    assertEquals(65516, reader("fff0" + payload).readPacket().payload().length);
  }

  @Test
  void readPacket_leavesFollowingBytesUnread() throws Exception {
    InputStream in = stream("0000PACKrest");
    PacketLineIn packets = new PacketLineIn(in, ProtocolLimits.defaults());
    packets.readPacket();
    assertEquals("PACKrest", Wire.text(in.readAllBytes()));
    assertEquals(4, packets.bytesRead());
  }

  @Test
  void bytesRead_countsHeadersAndPayloads() throws Exception {
    PacketLineIn in = reader("0009hello0000");
    in.readPacket();
    in.readPacket();
    assertEquals(13, in.bytesRead());
  }
}
