package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.pkt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportStatusReaderTest {
  private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();
  private final List<String> messages = new ArrayList<>();

  private ReportStatus read(byte[] response, boolean sideBand) throws Exception {
    return ReportStatusReader.read(
        new ByteArrayInputStream(response),
        sideBand,
        LIMITS,
        (band, data) -> messages.add(band + ":" + Wire.text(data)));
  }

  @Test
  void read_parsesCapturedSideBandReport() throws Exception {
    ReportStatus status = read(Wire.captured("report-sideband.bin"), true);
    assertTrue(status.unpackOk());
    assertEquals(
        List.of(RefStatus.ok("refs/heads/main"), RefStatus.ok("refs/heads/feature")),
        status.refStatuses());
  }

  @Test
  void read_parsesCapturedRejectionAndProgress() throws Exception {
    ReportStatus status = read(Wire.captured("report-sideband-ng.bin"), true);
    assertEquals(
        RefStatus.rejected("refs/heads/main", "pre-receive hook declined"),
        status.refStatuses().get(0));
    assertEquals(List.of("2:policy says no\n"), messages);
  }

  @Test
  void read_parsesBareReport() throws Exception {
    String response =
        pkt("unpack index-pack abnormal exit\n") + pkt("ng refs/heads/a unpacker error\n") + "0000";
    ReportStatus status = read(Wire.bytes(response), false);
    assertFalse(status.unpackOk());
    assertEquals("index-pack abnormal exit", status.unpackStatus());
  }

  @Test
  void read_skipsReportStatusV2Options() throws Exception {
    String response =
        pkt("unpack ok\n")
            + pkt("ok refs/heads/a\n")
            + pkt("option refname refs/heads/b\n")
            + pkt("option forced-update\n")
            + "0000";
    assertEquals(
        List.of(RefStatus.ok("refs/heads/a")), read(Wire.bytes(response), false).refStatuses());
  }

  @Test
  void read_passesBandThreeToListener() {
    String response = pkt("\u0003fatal: out of disk\n") + "0000";
    ProtocolException error =
        assertThrows(ProtocolException.class, () -> read(Wire.bytes(response), true));
    assertEquals(
        "report: final flush before the report ended (expected: unpack, ok or ng lines and a flush)",
        error.getMessage());
    assertEquals(List.of("3:fatal: out of disk\n"), messages);
  }

  @Test
  void read_rejectsUnknownBand() {
    ProtocolException error =
        assertThrows(
            ProtocolException.class, () -> read(Wire.bytes(pkt("\u0005x") + "0000"), true));
    assertEquals("side-band band: 5 (expected: 1, 2 or 3)", error.getMessage());
  }

  @Test
  void read_rejectsMissingUnpackLine() {
    assertThrows(
        ProtocolException.class, () -> read(Wire.bytes(pkt("ok refs/heads/a\n") + "0000"), false));
  }

  @Test
  void read_rejectsDataAfterReport() {
    String response = pkt("unpack ok\n") + "0000" + pkt("ok refs/heads/a\n");
    assertThrows(ProtocolException.class, () -> read(Wire.bytes(response), false));
  }

  @Test
  void tee_passesEveryByteBeforeObservingIt() throws Exception {
    byte[] response = Wire.captured("report-sideband-ng.bin");
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    ReportStatusReader reader = new ReportStatusReader(true, LIMITS, (band, data) -> {});
    try (OutputStream tee = reader.tee(client)) {
      for (int i = 0; i < response.length; i++) {
        tee.write(response[i]);
        assertEquals(i + 1, client.size());
      }
    }
    assertArrayEquals(response, client.toByteArray());
    assertEquals(2, reader.result().refStatuses().size());
  }

  @Test
  void tee_keepsStreamingWhenReportIsMalformed() throws Exception {
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    ReportStatusReader reader = new ReportStatusReader(false, LIMITS, (band, data) -> {});
    OutputStream tee = reader.tee(client);
    tee.write(Wire.bytes("zzzz0000"));
    assertEquals("zzzz0000", Wire.text(client.toByteArray()));
    assertThrows(ProtocolException.class, reader::result);
  }
}
