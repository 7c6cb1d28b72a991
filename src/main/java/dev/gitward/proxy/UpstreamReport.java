package dev.gitward.proxy;

import dev.gitward.audit.AuditEvent;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.ReceivePackRequest;
import dev.gitward.protocol.RefStatus;
import dev.gitward.protocol.ReportStatus;
import dev.gitward.protocol.ReportStatusReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream's report-status of a forwarded push, read while the response streams to the client,
 * and its per-ref results in the audit event. Each byte reaches the client before it is parsed, so
 * reading the report never delays the response.
 */
final class UpstreamReport {
  private static final Logger log = LoggerFactory.getLogger(UpstreamReport.class);

  /** Maximum length of an upstream reason in the audit event; longer ones are cut. */
  static final int MAX_REASON_LENGTH = 512;

  private final ReportStatusReader reader;
  private final String requestId;

  private UpstreamReport(ReportStatusReader reader, String requestId) {
    this.reader = reader;
    this.requestId = requestId;
  }

  /** Returns a reader for the push's response, or null when the client asked for no report. */
  static @Nullable UpstreamReport expected(
      ReceivePackRequest request, ProtocolLimits limits, String requestId) {
    if (!request.hasCapability("report-status") && !request.hasCapability("report-status-v2")) {
      return null;
    }
    boolean sideBand = request.sideBand64k() || request.hasCapability("side-band");
    return new UpstreamReport(
        new ReportStatusReader(sideBand, limits, (band, data) -> onMessage(requestId, band, data)),
        requestId);
  }

  private static void onMessage(String requestId, int band, byte[] data) {
    if (band == 3) {
      log.info(
          "request {} upstream sent a fatal error on band 3: {}",
          requestId,
          Responses.oneLine(new String(data, StandardCharsets.UTF_8)));
    }
  }

  /** Copies the upstream response to the client and parses it on the way. */
  void copy(InputStream upstream, OutputStream client) throws IOException {
    Forwarder.copy(upstream, reader.tee(client));
  }

  /**
   * Adds the upstream's result to each ref command of {@code state}. A push with any {@code ng} or
   * a failed unpack becomes {@code rejected} with reason {@code upstream-rejected}.
   */
  void record(GitExchange state) {
    ReportStatus report;
    try {
      report = reader.result();
    } catch (ProtocolException e) {
      log.warn(
          "request {} upstream report-status is unreadable, so the audit event has no per-ref"
              + " results: {}",
          requestId,
          e.getMessage());
      return;
    }
    List<RefStatus> unmatched = new ArrayList<>(report.refStatuses());
    for (ListIterator<AuditEvent.RefCommand> it = state.refCommands.listIterator();
        it.hasNext(); ) {
      AuditEvent.RefCommand command = it.next();
      RefStatus status = take(unmatched, command.ref());
      if (status != null) {
        it.set(
            command.withUpstreamResult(
                status.isOk() ? "ok" : "ng",
                status.rejectReason().map(UpstreamReport::cut).orElse(null)));
      } else if (!report.unpackOk()) {
        it.set(command.withUpstreamResult("ng", cut("unpack " + report.unpackStatus())));
      }
    }
    boolean rejected =
        !report.unpackOk() || report.refStatuses().stream().anyMatch(status -> !status.isOk());
    if (rejected) {
      state.decision = "rejected";
      state.reason = "upstream-rejected";
    }
  }

  private static @Nullable RefStatus take(List<RefStatus> statuses, String ref) {
    for (int i = 0; i < statuses.size(); i++) {
      if (statuses.get(i).refName().equals(ref)) {
        return statuses.remove(i);
      }
    }
    return null;
  }

  private static String cut(String reason) {
    String line = Responses.oneLine(reason);
    return line.length() <= MAX_REASON_LENGTH ? line : line.substring(0, MAX_REASON_LENGTH);
  }
}
