package dev.gitward.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed write or {@code fsync} of the audit file: the next write or force cuts the file back to
 * what was last forced and writes the unforced lines again, so the file contains every line once.
 * The channel fails on demand, because a failing {@code fsync} cannot be produced on a healthy
 * disk; the file under it is real.
 */
class FileAuditSinkTest {
  @TempDir Path directory;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private FailingChannel channel;

  private FileAuditSink open(Path file) throws IOException {
    FileAuditSink sink =
        new FileAuditSink(
            file,
            path -> {
              channel =
                  new FailingChannel(
                      FileChannel.open(
                          path,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.WRITE,
                          StandardOpenOption.APPEND));
              return channel;
            });
    sink.open();
    return sink;
  }

  /** Cuts the file to {@code length}, as a failed {@code fsync} may drop the pages after it. */
  private static void losePagesAfter(Path file, long length) throws IOException {
    try (FileChannel raw = FileChannel.open(file, StandardOpenOption.WRITE)) {
      raw.truncate(length);
    }
  }

  @Test
  void failedForce_nextForceWritesUnforcedLinesAgain() throws IOException {
    Path file = directory.resolve("audit.log");
    FileAuditSink sink = open(file);
    sink.write(bytes("a\n"), true);
    sink.write(bytes("b\n"), false);
    sink.write(bytes("c\n"), false);
    channel.failForce.set(true);
    assertThrows(IOException.class, sink::force);
    losePagesAfter(file, 2);

    channel.failForce.set(false);
    sink.force();

    assertEquals("a\nb\nc\n", Files.readString(file));
    sink.close();
  }

  @Test
  void failedForceOfBatch_retryWritesItOnce() throws IOException {
    Path file = directory.resolve("audit.log");
    FileAuditSink sink = open(file);
    sink.write(bytes("a\n"), false);
    channel.failForce.set(true);
    assertThrows(IOException.class, () -> sink.write(bytes("b\n"), true));

    channel.failForce.set(false);
    sink.write(bytes("b\n"), true);

    assertEquals("a\nb\n", Files.readString(file));
    sink.close();
  }

  @Test
  void partialWrite_cutBeforeRetry() throws IOException {
    Path file = directory.resolve("audit.log");
    FileAuditSink sink = open(file);
    sink.write(bytes("a\n"), true);
    channel.writeLimit.set(3);
    assertThrows(IOException.class, () -> sink.write(bytes("bbbbbb\n"), false));
    assertEquals("a\nbbb", Files.readString(file));

    sink.write(bytes("bbbbbb\n"), false);

    assertEquals("a\nbbbbbb\n", Files.readString(file));
    sink.close();
  }

  @Test
  void failedTruncate_appendsNothingUntilItSucceeds() throws IOException {
    Path file = directory.resolve("audit.log");
    FileAuditSink sink = open(file);
    sink.write(bytes("a\n"), true);
    channel.writeLimit.set(1);
    assertThrows(IOException.class, () -> sink.write(bytes("bb\n"), false));
    channel.failTruncate.set(true);
    assertThrows(IOException.class, () -> sink.write(bytes("bb\n"), false));
    assertEquals("a\nb", Files.readString(file));

    channel.failTruncate.set(false);
    sink.write(bytes("bb\n"), false);

    assertEquals("a\nbb\n", Files.readString(file));
    sink.close();
  }

  @Test
  void unforcedPastLimit_forcedAtOnce() throws IOException {
    Path file = directory.resolve("audit.log");
    FileAuditSink sink = open(file);
    byte[] line = new byte[1 << 20];
    java.util.Arrays.fill(line, (byte) 'x');
    line[line.length - 1] = '\n';
    int lines = FileAuditSink.MAX_UNFORCED_BYTES / line.length;
    for (int i = 0; i < lines; i++) {
      sink.write(line, false);
    }
    assertEquals(0, channel.forces.get());

    sink.write(line, false);

    assertEquals(1, channel.forces.get());
    sink.close();
  }

  /** A file channel that fails its writes, forces or truncates on demand. */
  private static final class FailingChannel extends FileChannel {
    final AtomicBoolean failForce = new AtomicBoolean();
    final AtomicBoolean failTruncate = new AtomicBoolean();

    /** Bytes the next write may write before it fails, or -1 for no limit. */
    final AtomicInteger writeLimit = new AtomicInteger(-1);

    final AtomicInteger forces = new AtomicInteger();
    private final FileChannel file;

    FailingChannel(FileChannel file) {
      this.file = file;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      int limit = writeLimit.getAndSet(-1);
      if (limit < 0) {
        return file.write(source);
      }
      if (limit == 0) {
        throw new IOException("No space left on device");
      }
      ByteBuffer part = source.duplicate();
      part.limit(part.position() + Math.min(limit, part.remaining()));
      int written = file.write(part);
      source.position(source.position() + written);
      writeLimit.set(0);
      return written;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (failForce.get()) {
        throw new IOException("Input/output error");
      }
      forces.incrementAndGet();
      file.force(metaData);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (failTruncate.get()) {
        throw new IOException("Input/output error");
      }
      file.truncate(size);
      return this;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
      return file.read(target);
    }

    @Override
    public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
      return file.read(targets, offset, length);
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
      return file.write(sources, offset, length);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long position) throws IOException {
      file.position(position);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long position, long count)
        throws IOException {
      return file.transferFrom(source, position, count);
    }

    @Override
    public int read(ByteBuffer target, long position) throws IOException {
      return file.read(target, position);
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
      return file.write(source, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
