package dev.gitward.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Appends audit lines to a file and forces them to disk when asked. It keeps the lines written
 * since the last successful force. After a failed write or force, the next write or force first
 * cuts the file back to its forced length and writes those lines again. A failed {@code fsync} may
 * leave written pages unsaved and yet marked clean, so a later force alone would not save them. A
 * retry thus never leaves half a line, a line twice, or a line that is reported forced but is not.
 *
 * <p>{@link #check} fails when the path no longer names the opened file, for example after it was
 * deleted or replaced by a directory, because lines would then go to an unlinked file.
 */
final class FileAuditSink implements AuditSink {
  /** Maximum length of the last line that {@link #open} reads back. */
  static final int MAX_TAIL_BYTES = 64 << 20;

  /** Maximum bytes written but not forced; a write past it is forced at once. */
  static final int MAX_UNFORCED_BYTES = 8 << 20;

  private static final int CHUNK = 64 << 10;

  private final Path path;
  private volatile @Nullable FileChannel channel;
  private volatile @Nullable Object fileKey;
  private volatile boolean regular;

  /** Length of the file up to the last successful force, or at open. */
  private long forcedSize;

  /** Lines written after {@link #forcedSize}, to write again after a failure. */
  private final ByteArrayOutputStream unforced = new ByteArrayOutputStream();

  /** Whether the file past {@link #forcedSize} may differ from {@link #unforced}. */
  private boolean damaged;

  private final Opener opener;

  FileAuditSink(Path path) {
    this(path, FileAuditSink::openForAppend);
  }

  /**
   * @param opener opens the file for appending; tests pass one whose channel fails on demand,
   *     because a failing {@code fsync} cannot be produced on a healthy disk
   */
  FileAuditSink(Path path, Opener opener) {
    this.path = path;
    this.opener = opener;
  }

  /** Opens the audit file for appending. */
  @FunctionalInterface
  interface Opener {
    FileChannel open(Path path) throws IOException;
  }

  private static FileChannel openForAppend(Path path) throws IOException {
    return FileChannel.open(
        path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  @Override
  public Optional<Tail> open() throws IOException {
    close();
    FileChannel opened = opener.open(path);
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    channel = opened;
    regular = attributes.isRegularFile();
    fileKey = regular ? attributes.fileKey() : null;
    forcedSize = regular ? opened.size() : 0;
    unforced.reset();
    damaged = false;
    return regular ? readTail() : Optional.empty();
  }

  private Optional<Tail> readTail() throws IOException {
    long size = forcedSize;
    if (size == 0) {
      return Optional.empty();
    }
    try (FileChannel reader = FileChannel.open(path, StandardOpenOption.READ)) {
      boolean complete = readByte(reader, size - 1) == '\n';
      long end = complete ? size - 1 : size;
      long start = lineStart(reader, end);
      ByteBuffer line = ByteBuffer.allocate((int) (end - start));
      while (line.hasRemaining() && reader.read(line, start + line.position()) >= 0) {
        // Reads until the line is complete.
      }
      return Optional.of(new Tail(line.array(), complete));
    }
  }

  /** Returns the offset after the last newline before {@code end}, or 0. */
  private long lineStart(FileChannel reader, long end) throws IOException {
    long position = end;
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    while (position > 0) {
      if (end - position > MAX_TAIL_BYTES) {
        throw new IOException(
            "last line of " + path + " is longer than " + MAX_TAIL_BYTES + " bytes");
      }
      long from = Math.max(0, position - CHUNK);
      chunk.clear().limit((int) (position - from));
      reader.read(chunk, from);
      for (int i = chunk.position() - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          return from + i + 1;
        }
      }
      position = from;
    }
    return 0;
  }

  private static int readByte(FileChannel reader, long position) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    reader.read(one, position);
    return one.get(0);
  }

  @Override
  public void write(byte[] lines, boolean force) throws IOException {
    FileChannel out = channel;
    if (out == null) {
      throw new IOException("audit file " + path + " is not open");
    }
    if (!regular) {
      writeFully(out, lines);
      return;
    }
    boolean forceNow = force || unforced.size() + lines.length > MAX_UNFORCED_BYTES;
    try {
      repair(out);
      writeFully(out, lines);
      if (forceNow) {
        out.force(false);
      }
    } catch (IOException e) {
      damaged = true;
      throw e;
    }
    unforced.write(lines);
    if (forceNow) {
      forced();
    }
  }

  @Override
  public void force() throws IOException {
    FileChannel out = channel;
    if (out == null || !regular) {
      return;
    }
    try {
      repair(out);
      out.force(false);
    } catch (IOException e) {
      damaged = true;
      throw e;
    }
    forced();
  }

  /** Cuts the file back to its forced length and writes the unforced lines again, if needed. */
  private void repair(FileChannel out) throws IOException {
    if (damaged) {
      out.truncate(forcedSize);
      writeFully(out, unforced.toByteArray());
      damaged = false;
    }
  }

  private void forced() {
    forcedSize += unforced.size();
    unforced.reset();
  }

  private static void writeFully(FileChannel out, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  @Override
  public void check() throws IOException {
    if (channel == null || !channel.isOpen()) {
      throw new IOException("audit file " + path + " is not open");
    }
    if (!regular) {
      return;
    }
    BasicFileAttributes now;
    try {
      now = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new IOException("audit file " + path + " was removed", e);
    }
    if (!now.isRegularFile() || !Objects.equals(now.fileKey(), fileKey)) {
      throw new IOException("audit file " + path + " was replaced by another file or directory");
    }
  }

  @Override
  public boolean canReopen() {
    return true;
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public void close() {
    FileChannel open = channel;
    if (open != null) {
      try (open) {
        if (regular && open.isOpen()) {
          open.force(false);
        }
      } catch (IOException e) {
        // Best effort at shutdown; the writer forces before it reopens a file.
      }
      channel = null;
    }
  }
}
