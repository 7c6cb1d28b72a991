package dev.gitward.protocol;

import java.util.List;

/**
 * A receive-pack report as an upstream sent it.
 *
 * @param unpackStatus the text after {@code unpack}: {@code ok} or the reason unpacking failed
 * @param refStatuses one status per {@code ok} or {@code ng} line, in order
 */
public record ReportStatus(String unpackStatus, List<RefStatus> refStatuses) {
  /** Copies the statuses. */
  public ReportStatus {
    refStatuses = List.copyOf(refStatuses);
  }

  /** Returns whether the upstream unpacked the pack. */
  public boolean unpackOk() {
    return unpackStatus.equals("ok");
  }
}
