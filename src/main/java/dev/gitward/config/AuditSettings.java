package dev.gitward.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The audit log, under {@code audit:}.
 *
 * @param file the file audit events are appended to, or empty for standard output
 * @param queueSize the maximum number of events waiting for the writer thread
 * @param onFailure what the proxy does with new git requests while the audit sink fails
 * @param fetchFsyncDelay how long the events of allowed fetches may wait before the file is forced
 *     to disk, or zero to force every batch
 */
public record AuditSettings(
    Optional<Path> file, int queueSize, OnFailure onFailure, Duration fetchFsyncDelay) {
  /** Default of {@code audit.queue-size}. */
  public static final int DEFAULT_QUEUE_SIZE = 10_000;

  /** Default of {@code audit.fetch-fsync-delay}. */
  public static final Duration DEFAULT_FETCH_FSYNC_DELAY = Duration.ofSeconds(1);

  /** Largest {@code audit.fetch-fsync-delay}. */
  public static final Duration MAX_FETCH_FSYNC_DELAY = Duration.ofSeconds(60);

  /** The proxy's behavior while the audit sink cannot be written. */
  public enum OnFailure {
    /** Reject new git requests with 503 before any upstream I/O. */
    REJECT,
    /** Hold new git requests until the sink accepts writes again. */
    BLOCK
  }
}
