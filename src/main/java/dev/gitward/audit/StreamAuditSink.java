package dev.gitward.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;

/**
 * Writes audit lines to standard output, where a container runtime or supervisor collects them. The
 * chain starts anew with every process, because standard output cannot be read back.
 *
 * <p>{@link PrintStream} keeps an error once it happened, so after a failed write this sink stays
 * failed until the process restarts.
 */
final class StreamAuditSink implements AuditSink {
  private final PrintStream out;

  StreamAuditSink(PrintStream out) {
    this.out = out;
  }

  @Override
  public Optional<Tail> open() {
    return Optional.empty();
  }

  @Override
  public void write(byte[] lines, boolean force) throws IOException {
    out.write(lines, 0, lines.length);
    out.flush();
    check();
  }

  /** Does nothing more than {@link #write}, which flushes: a stream cannot be forced to disk. */
  @Override
  public void force() throws IOException {
    check();
  }

  @Override
  public void check() throws IOException {
    if (out.checkError()) {
      throw new IOException("standard output failed (closed pipe or full disk)");
    }
  }

  /** Returns false: the stream keeps its error, and standard output cannot be opened again. */
  @Override
  public boolean canReopen() {
    return false;
  }

  @Override
  public String name() {
    return "stdout";
  }

  @Override
  public void close() {
    out.flush();
  }
}
