package dev.gitward.audit;

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
 * Appends audit lines to a file and forces them to disk when asked. A write that fails part-way, or
 * whose force fails, is cut back off the file, so a retry never leaves half a line or a line twice
 * in the middle.
 *
 * <p>{@link #check} fails when the path no longer names the opened file, for example after it was
 * deleted or replaced by a directory, because lines would then go to an unlinked file.
 */
final class FileAuditSink implements AuditSink {
  /** Maximum length of the last line that {@link #open} reads back. */
  static final int MAX_TAIL_BYTES = 64 << 20;

  private static final int CHUNK = 64 << 10;

  private final Path path;
  private volatile @Nullable FileChannel channel;
  private volatile @Nullable Object fileKey;
  private volatile boolean regular;
  private long size;

  FileAuditSink(Path path) {
    this.path = path;
  }

  @Override
  public Optional<Tail> open() throws IOException {
    close();
    FileChannel opened =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    channel = opened;
    regular = attributes.isRegularFile();
    fileKey = regular ? attributes.fileKey() : null;
    size = regular ? opened.size() : 0;
    return regular ? readTail() : Optional.empty();
  }

  private Optional<Tail> readTail() throws IOException {
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
    FileChannel out = Objects.requireNonNull(channel, "open() first");
    ByteBuffer buffer = ByteBuffer.wrap(lines);
    try {
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      if (force && regular) {
        out.force(false);
      }
    } catch (IOException e) {
      cutBack(out);
      throw e;
    }
    size += lines.length;
  }

  @Override
  public void force() throws IOException {
    FileChannel out = Objects.requireNonNull(channel, "open() first");
    if (regular) {
      out.force(false);
    }
  }

  /** Truncates a partly written batch, so the file ends with a whole line again. */
  private void cutBack(FileChannel out) {
    if (!regular) {
      return;
    }
    try {
      out.truncate(size);
    } catch (IOException e) {
      // The next open() finds the torn line and records it in a new chain segment.
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
        // The lines are in the file; only their flush to disk may be missing.
      }
      channel = null;
    }
  }
}
