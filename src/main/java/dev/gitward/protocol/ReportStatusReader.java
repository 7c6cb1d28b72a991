package dev.gitward.protocol;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Parses an upstream's receive-pack report while the bytes pass to the client. It reads the {@code
 * report-status} and {@code report-status-v2} formats and skips the {@code option} lines of the
 * latter. With side-band, band 1 carries the report, and bands 2 and 3 go to a listener.
 *
 * <p>A malformed report does not interrupt the stream: {@link #observe} records the first error and
 * {@link #result()} throws it. Exceptions from the listener do propagate.
 */
public final class ReportStatusReader {
  /** Receives progress (band 2) and fatal error (band 3) messages of a side-band response. */
  @FunctionalInterface
  public interface SideBandListener {
    /** Receives the bytes of one side-band packet after the band byte. */
    void onMessage(int band, byte[] data);
  }

  private final PacketLineDecoder input;
  private final PacketLineDecoder report;
  private final SideBandListener listener;
  private final int maxCommands;
  private final List<RefStatus> refStatuses = new ArrayList<>();
  private @Nullable String unpackStatus;
  private boolean reportComplete;
  private @Nullable ProtocolException problem;

  /**
   * Creates a reader.
   *
   * @param sideBand whether the response is multiplexed with side-band or side-band-64k
   * @param limits the packet length limit, and {@code maxCommands} as the limit on ref statuses
   * @param listener receives band 2 and 3 messages; unused without side-band
   */
  public ReportStatusReader(boolean sideBand, ProtocolLimits limits, SideBandListener listener) {
    this.listener = listener;
    this.maxCommands = limits.maxCommands();
    this.report = new PacketLineDecoder(limits.maxPacketLength(), this::onReportPacket);
    this.input =
        sideBand ? new PacketLineDecoder(limits.maxPacketLength(), this::onSideBandPacket) : report;
  }

  /**
   * Reads a whole response and returns its report.
   *
   * @throws ProtocolException if the report is malformed or incomplete
   * @throws IOException if reading {@code in} fails
   */
  public static ReportStatus read(
      InputStream in, boolean sideBand, ProtocolLimits limits, SideBandListener listener)
      throws IOException, ProtocolException {
    ReportStatusReader reader = new ReportStatusReader(sideBand, limits, listener);
    byte[] buffer = new byte[8192];
    for (int count = in.read(buffer); count >= 0; count = in.read(buffer)) {
      reader.observe(buffer, 0, count);
    }
    return reader.result();
  }

  /** Returns a stream that writes each byte to {@code client} first and then observes it. */
  public OutputStream tee(OutputStream client) {
    return new FilterOutputStream(client) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        observe(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        observe(bytes, offset, length);
      }
    };
  }

  /** Observes bytes of the response. A malformed response is recorded, not thrown. */
  public void observe(byte[] bytes, int offset, int length) {
    if (problem != null) {
      return;
    }
    try {
      input.feed(bytes, offset, length);
    } catch (ProtocolException e) {
      problem = e;
    }
  }

  /**
   * Returns the report once its flush has been observed.
   *
   * @throws ProtocolException if the response was malformed or the report is incomplete
   */
  public ReportStatus result() throws ProtocolException {
    if (problem != null) {
      throw problem;
    }
    if (!reportComplete || !input.atBoundary()) {
      throw new ProtocolException("report", "incomplete", "unpack, ok or ng lines and a flush");
    }
    return new ReportStatus(unpackStatus, refStatuses);
  }

  private void onSideBandPacket(Packet packet) throws ProtocolException {
    if (packet.type() == Packet.Type.FLUSH) {
      if (!reportComplete) {
        throw new ProtocolException(
            "report", "final flush before the report ended", "unpack, ok or ng lines and a flush");
      }
      return;
    }
    if (packet.type() != Packet.Type.DATA) {
      throw new ProtocolException("side-band packet", packet.type().toString(), "data");
    }
    byte[] payload = packet.payload();
    int band = payload[0];
    if (band == 1) {
      report.feed(payload, 1, payload.length - 1);
    } else if (band == 2 || band == 3) {
      listener.onMessage(band, Arrays.copyOfRange(payload, 1, payload.length));
    } else {
      throw new ProtocolException("side-band band", String.valueOf(band), "1, 2 or 3");
    }
  }

  private void onReportPacket(Packet packet) throws ProtocolException {
    if (reportComplete) {
      throw new ProtocolException("report", packet.toString(), "nothing after the flush");
    }
    if (packet.type() == Packet.Type.FLUSH && unpackStatus != null) {
      reportComplete = true;
      return;
    }
    if (packet.type() != Packet.Type.DATA) {
      throw new ProtocolException("report packet", packet.type().toString(), "data");
    }
    onReportLine(new String(packet.chompedPayload(), StandardCharsets.UTF_8));
  }

  private void onReportLine(String line) throws ProtocolException {
    if (unpackStatus == null) {
      if (!line.startsWith("unpack ")) {
        throw new ProtocolException("report line", line, "unpack <status> first");
      }
      unpackStatus = line.substring("unpack ".length());
    } else if (line.startsWith("ok ")) {
      addStatus(RefStatus.ok(line.substring("ok ".length())));
    } else if (line.startsWith("ng ")) {
      addStatus(parseRejection(line.substring("ng ".length())));
    } else if (!line.startsWith("option ") || refStatuses.isEmpty()) {
      throw new ProtocolException("report line", line, "ok <ref>, ng <ref> <reason> or option");
    }
  }

  private static RefStatus parseRejection(String text) {
    int space = text.indexOf(' ');
    if (space < 0) {
      return RefStatus.rejected(text, "");
    }
    return RefStatus.rejected(text.substring(0, space), text.substring(space + 1));
  }

  private void addStatus(RefStatus status) throws ProtocolException {
    if (refStatuses.size() == maxCommands) {
      throw new ProtocolException(
          "report", "more than " + maxCommands + " ref statuses", "at most " + maxCommands);
    }
    refStatuses.add(status);
  }
}
