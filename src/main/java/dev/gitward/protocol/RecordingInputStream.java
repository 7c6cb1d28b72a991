package dev.gitward.protocol;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** An input stream that keeps a copy of every byte read through it. */
final class RecordingInputStream extends FilterInputStream {
  private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

  RecordingInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      recorded.write(b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int count = in.read(buffer, offset, length);
    if (count > 0) {
      recorded.write(buffer, offset, count);
    }
    return count;
  }

  /** Throws because skipped bytes would be missing from the record. */
  @Override
  public long skip(long n) {
    throw new UnsupportedOperationException(
        "skip: " + n + " (expected: read, so bytes are recorded)");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Returns a copy of the bytes read so far. */
  byte[] recorded() {
    return recorded.toByteArray();
  }
}
