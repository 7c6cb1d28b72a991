package dev.gitward.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketLineOutTest {
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PacketLineOut out = new PacketLineOut(buffer);

  @Test
  void writeString_framesUtf8Payload() throws Exception {
    out.writeString("h\u00e9\n");
    assertEquals("0008h\u00c3\u00a9\n", Wire.text(buffer.toByteArray()));
  }

  @Test
  void writeFlushAndDelim_writeControlPackets() throws Exception {
    out.writeFlush();
    out.writeDelim();
    assertEquals("00000001", Wire.text(buffer.toByteArray()));
  }

  @Test
  void writeData_rejectsEmptyPayload() {
    assertThrows(IllegalArgumentException.class, () -> out.writeData(new byte[0]));
  }

  @Test
  void writeData_rejectsOversizedPayload() {
    assertThrows(IllegalArgumentException.class, () -> out.writeData(new byte[65517]));
  }

  @Test
  void writeSideBand_prefixesBand() throws Exception {
    out.writeSideBand(2, Wire.bytes("hi\n"));
    assertEquals("0008\u0002hi\n", Wire.text(buffer.toByteArray()));
  }

  @Test
  void writeSideBand_splitsAt65520BytesPerPacket() throws Exception {
    byte[] data = new byte[65515 * 2 + 1];
    Arrays.fill(data, (byte) 'd');
    out.writeSideBand(1, data);
    PacketLineIn in =
        new PacketLineIn(new ByteArrayInputStream(buffer.toByteArray()), ProtocolLimits.defaults());
    assertEquals(65516, in.readPacket().payload().length);
    assertEquals(65516, in.readPacket().payload().length);
    assertEquals(2, in.readPacket().payload().length);
    assertEquals(Packet.Type.END_OF_STREAM, in.readPacketOrEnd().type());
  }

  @Test
  void writeSideBand_splitsPlainSideBandAt1000() throws Exception {
    out.writeSideBand(1, new byte[996], PacketLineOut.SIDE_BAND_MAX_PACKET);
    String written = Wire.text(buffer.toByteArray());
    assertEquals("03e8", written.substring(0, 4));
    assertEquals("0006", written.substring(1000, 1004));
    assertEquals(1006, written.length());
  }

  @Test
  void writeSideBand_writesNothingForEmptyData() throws Exception {
    out.writeSideBand(2, new byte[0]);
    assertEquals(0, buffer.size());
  }

  @Test
  void writeSideBand_rejectsUnknownBand() {
    assertThrows(IllegalArgumentException.class, () -> out.writeSideBand(4, new byte[1]));
  }
}
