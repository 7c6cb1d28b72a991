package dev.gitward.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a receive-pack report of Gitward's own, in the {@code report-status} format that git
 * clients requesting {@code report-status} or {@code report-status-v2} both read.
 */
public final class ReceivePackReport {
  private ReceivePackReport() {}

  /**
   * Writes {@code unpack ok}, then {@code ok <ref>} or {@code ng <ref> <reason>} per status, then a
   * flush. With {@code sideBand64k}, the progress message goes first on band 2, where git prints
   * each line as {@code remote: <line>}, the report follows on band 1, and a flush ends the
   * response. Without side-band there is no channel for the progress message, so it is dropped.
   * Reasons and message lines are reduced to printable ASCII on one line.
   *
   * @throws IllegalArgumentException if a ref name contains a space or a control character, which
   *     would corrupt the report
   */
  public static void write(
      OutputStream out, List<RefStatus> statuses, boolean sideBand64k, String progressMessage)
      throws IOException {
    byte[] report = encodeReport(statuses);
    if (!sideBand64k) {
      out.write(report);
      return;
    }
    PacketLineOut packets = new PacketLineOut(out);
    byte[] progress = progressLines(progressMessage);
    packets.writeSideBand(2, progress);
    packets.writeSideBand(1, report);
    packets.writeFlush();
  }

  private static byte[] encodeReport(List<RefStatus> statuses) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PacketLineOut packets = new PacketLineOut(buffer);
    packets.writeString("unpack ok\n");
    for (RefStatus status : statuses) {
      requireReportableRefName(status.refName());
      if (status.isOk()) {
        packets.writeString("ok " + status.refName() + "\n");
      } else {
        String reason = sanitizeLine(status.rejectReason().get());
        packets.writeString(
            "ng " + status.refName() + " " + (reason.isEmpty() ? "rejected" : reason) + "\n");
      }
    }
    packets.writeFlush();
    return buffer.toByteArray();
  }

  private static byte[] progressLines(String message) {
    StringBuilder lines = new StringBuilder();
    for (String line : message.split("\r?\n|\r")) {
      if (!line.isBlank()) {
        lines.append(sanitizeLine(line)).append('\n');
      }
    }
    return lines.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void requireReportableRefName(String refName) {
    boolean reportable = !refName.isEmpty() && refName.chars().allMatch(c -> c > 0x20 && c != 0x7f);
    if (!reportable) {
      throw new IllegalArgumentException(
          "refName: "
              + ProtocolException.describe(refName.getBytes(StandardCharsets.UTF_8))
              + " (expected: no spaces or control characters)");
    }
  }

  /** Replaces control characters with spaces and other non-ASCII characters with '?', and trims. */
  static String sanitizeLine(String text) {
    StringBuilder line = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        line.append(' ');
      } else {
        line.append(c < 0x7f ? c : '?');
      }
    }
    return line.toString().strip();
  }
}
