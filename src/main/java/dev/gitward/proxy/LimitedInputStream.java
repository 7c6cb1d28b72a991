package dev.gitward.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads at most a fixed number of bytes and fails with {@link LimitExceededException} past it, so a
 * body over its limit is a clear rejection rather than a silent truncation.
 */
final class LimitedInputStream extends FilterInputStream {
  private final long limit;
  private final String what;
  private final String key;
  private long count;

  /**
   * Creates a stream that fails past {@code limit} bytes.
   *
   * @param what the data read, such as {@code push body}, for the message
   * @param key the config key that sets the limit, such as {@code limits.push-body}
   */
  LimitedInputStream(InputStream in, long limit, String what, String key) {
    super(in);
    this.limit = limit;
    this.what = what;
    this.key = key;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
    if (n > 0) {
      advance(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(Math.min(n, limit - count + 1));
    advance(skipped);
    return skipped;
  }

  private void advance(long n) throws LimitExceededException {
    count += n;
    if (count > limit) {
      throw new LimitExceededException(
          what
              + " is larger than "
              + limit
              + " bytes (expected: at most "
              + limit
              + " bytes, "
              + key
              + ")");
    }
  }

  long count() {
    return count;
  }

  /** A body that passed its limit. */
  static final class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    LimitExceededException(String message) {
      super(message);
    }
  }
}
