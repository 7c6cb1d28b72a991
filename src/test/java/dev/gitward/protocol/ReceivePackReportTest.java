package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.pkt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceivePackReportTest {
  private static final List<RefStatus> STATUSES =
      List.of(
          RefStatus.ok("refs/heads/agent/a"),
          RefStatus.rejected("refs/heads/main", "not granted:\nrefs/heads/agent/**"));

  private static String write(List<RefStatus> statuses, boolean sideBand, String message)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReceivePackReport.write(out, statuses, sideBand, message);
    return Wire.text(out.toByteArray());
  }

  @Test
  void write_withoutSideBandWritesBareReport() throws Exception {
    assertEquals(
        pkt("unpack ok\n")
            + pkt("ok refs/heads/agent/a\n")
            + pkt("ng refs/heads/main not granted: refs/heads/agent/**\n")
            + "0000",
        write(STATUSES, false, "ignored"));
  }

  @Test
  void write_withSideBandSendsProgressThenReport() throws Exception {
    String report =
        pkt("unpack ok\n")
            + pkt("ok refs/heads/agent/a\n")
            + pkt("ng refs/heads/main not granted: refs/heads/agent/**\n")
            + "0000";
    assertEquals(
        pkt("\u0002gitward: push rejected\nsecond line\n") + pkt("\u0001" + report) + "0000",
        write(STATUSES, true, "gitward: push rejected\nsecond line"));
  }

  @Test
  void write_sanitisesReason() throws Exception {
    String written =
        write(
            List.of(RefStatus.rejected("refs/heads/x", "\u001b[31mred\r\n caf\u00e9 ")), false, "");
    assertEquals(pkt("unpack ok\n") + pkt("ng refs/heads/x [31mred   caf?\n") + "0000", written);
  }

  @Test
  void write_usesPlaceholderForEmptyReason() throws Exception {
    assertEquals(
        pkt("unpack ok\n") + pkt("ng refs/heads/x rejected\n") + "0000",
        write(List.of(RefStatus.rejected("refs/heads/x", "\n")), false, ""));
  }

  @Test
  void write_rejectsRefNameWithSpace() {
    assertThrows(
        IllegalArgumentException.class,
        () -> write(List.of(RefStatus.ok("refs/heads/a b")), false, ""));
  }

  @Test
  void write_roundTripsThroughReader() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReceivePackReport.write(out, STATUSES, true, "denied");
    List<String> progress = new ArrayList<>();
    ReportStatus status =
        ReportStatusReader.read(
            new ByteArrayInputStream(out.toByteArray()),
            true,
            ProtocolLimits.defaults(),
            (band, data) -> progress.add(band + ":" + Wire.text(data)));
    assertEquals("ok", status.unpackStatus());
    assertEquals(RefStatus.ok("refs/heads/agent/a"), status.refStatuses().get(0));
    assertEquals(
        RefStatus.rejected("refs/heads/main", "not granted: refs/heads/agent/**"),
        status.refStatuses().get(1));
    assertEquals(List.of("2:denied\n"), progress);
  }
}
