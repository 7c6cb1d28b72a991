package dev.gitward.audit;

import java.io.IOException;
import java.util.Optional;

/** The destination of audit lines: an append-only file or standard output, used by one thread. */
interface AuditSink extends AutoCloseable {
  /**
   * Opens the sink, or opens it again after {@link #check} failed, and returns its last line so
   * that the chain can continue.
   *
   * @return empty for a new or empty file and for streams that cannot be read back
   */
  Optional<Tail> open() throws IOException;

  /**
   * Writes whole lines, all or nothing.
   *
   * @param force whether to make these and all earlier lines durable, as far as the sink can,
   *     before returning
   */
  void write(byte[] lines, boolean force) throws IOException;

  /** Makes every written line durable, as far as the sink can. */
  void force() throws IOException;

  /** Throws when lines written now would not reach the configured destination. */
  void check() throws IOException;

  /** Returns whether {@link #open} can repair a failed {@link #check}, as for a removed file. */
  boolean canReopen();

  /** Returns the file name, or {@code stdout}, for messages. */
  String name();

  @Override
  void close();

  /**
   * The last line of an existing file.
   *
   * @param line the line's bytes without the newline
   * @param complete whether a newline ends it; a line without one was cut off
   */
  record Tail(byte[] line, boolean complete) {}
}
