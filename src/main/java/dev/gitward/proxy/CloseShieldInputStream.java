package dev.gitward.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes reads to the client's request body but ignores {@code close()}. The upstream client closes
 * the body it sent, and closing Undertow's request stream reads the unread rest of the body to keep
 * the connection, which for a body past its limit could be gigabytes.
 *
 * <p>A read also turns a {@link NullPointerException} from Undertow 2.3.24's {@code
 * UndertowInputStream} into an {@link IOException}. That stream's buffer was seen dropped while a
 * worker was blocked in a read of a body shorter than its {@code Content-Length}, when the
 * connection closed at the client read-idle timeout, and the read then dereferenced the missing
 * buffer. The request has failed either way, and as an I/O error it is logged as a client failure,
 * not an internal error. A {@code NullPointerException} thrown anywhere else passes unchanged.
 *
 * <p>NOTE: which thread drops the buffer was not traced; the race was seen once in a test run.
 */
final class CloseShieldInputStream extends FilterInputStream {
  CloseShieldInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    try {
      return super.read();
    } catch (NullPointerException e) {
      throw closedWhileReading(e);
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    try {
      return super.read(buffer, offset, length);
    } catch (NullPointerException e) {
      throw closedWhileReading(e);
    }
  }

  @Override
  public void close() {
    // The exchange ends the request stream itself.
  }

  /** Returns the I/O error for the race described above, or rethrows any other exception. */
  private static IOException closedWhileReading(NullPointerException cause) {
    StackTraceElement[] frames = cause.getStackTrace();
    if (frames.length == 0
        || !frames[0].getClassName().equals("io.undertow.io.UndertowInputStream")) {
      throw cause;
    }
    return new IOException("the client connection closed while its request body was read", cause);
  }
}
