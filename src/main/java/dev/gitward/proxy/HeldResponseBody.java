package dev.gitward.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.xnio.streams.ChannelOutputStream;

/**
 * The client's response body, with its first {@code limit} bytes held back so that a body that ends
 * within them goes out with a {@code Content-Length}. Such a response is complete once its bytes
 * are written. A chunked one is complete only after its last chunk, which Undertow writes when the
 * exchange ends on the I/O thread, one thread hand-off later.
 *
 * <p>Only bodies that the upstream writes at once may be held: ref advertisements and {@code
 * ls-refs} results. A fetch response carries progress messages and keep-alive packets that must
 * reach the client while the upstream works, so it streams from the first byte.
 *
 * <p>The response channel is opened on the first write that passes the limit, because Undertow
 * fixes the framing when the channel opens. Written straight to the response channel, so that
 * GitProxyHandler can end the exchange on the I/O thread; closing the blocking output stream would
 * end it on the worker thread.
 */
final class HeldResponseBody extends OutputStream {
  private final HttpServerExchange exchange;
  private final int limit;
  private byte @Nullable [] heldBytes;
  private int heldLength;
  private @Nullable OutputStream channel;
  private long count;

  private HeldResponseBody(HttpServerExchange exchange, int limit) {
    this.exchange = exchange;
    this.limit = limit;
    this.heldBytes = limit > 0 ? new byte[Math.min(limit, 1024)] : null;
  }

  /** Returns a body that holds back up to {@code limit} bytes. */
  static HeldResponseBody holding(HttpServerExchange exchange, int limit) {
    return new HeldResponseBody(exchange, limit);
  }

  /**
   * Returns a body that streams from the first byte, with the framing already set on {@code
   * exchange}: a {@code Content-Length} or chunked.
   */
  static HeldResponseBody streaming(HttpServerExchange exchange) {
    return new HeldResponseBody(exchange, 0);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    byte[] buffer = heldBytes;
    if (buffer != null && heldLength + len <= limit) {
      if (heldLength + len > buffer.length) {
        buffer =
            Arrays.copyOf(buffer, Math.min(limit, Math.max(heldLength + len, 2 * buffer.length)));
        heldBytes = buffer;
      }
      System.arraycopy(b, off, buffer, heldLength, len);
      heldLength += len;
      count += len;
      return;
    }
    OutputStream out = release();
    out.write(b, off, len);
    count += len;
  }

  /**
   * Flushes the bytes that are no longer held. Held bytes wait for {@link #finish} or the limit.
   */
  @Override
  public void flush() throws IOException {
    if (heldBytes == null) {
      open().flush();
    }
  }

  /**
   * Ends the body. A body that was held whole gets its {@code Content-Length} and is returned
   * unsent, for the connection's I/O thread to send as it ends the exchange. Otherwise the streamed
   * rest is flushed and null is returned.
   *
   * <p>A response with a length is complete once its last byte is written, and Undertow 2.3 then
   * ends the exchange on the writing thread. From a worker thread that makes the I/O thread spin in
   * {@code HttpReadListener.handleEvent} while git's next request waits, as described in
   * GitProxyHandler.
   */
  @Nullable ByteBuffer finish() throws IOException {
    byte[] buffer = heldBytes;
    if (buffer != null) {
      heldBytes = null;
      exchange.setResponseContentLength(heldLength);
      return ByteBuffer.wrap(buffer, 0, heldLength);
    }
    open().flush();
    return null;
  }

  /** Returns whether the response channel was opened, which fixes the response's framing. */
  boolean opened() {
    return channel != null;
  }

  /** Returns the body bytes written to this stream. */
  long count() {
    return count;
  }

  /** Sends the held bytes as the start of a chunked body and stops holding. */
  private OutputStream release() throws IOException {
    byte[] buffer = heldBytes;
    if (buffer == null) {
      return open();
    }
    heldBytes = null;
    exchange.getResponseHeaders().put(Headers.TRANSFER_ENCODING, "chunked");
    OutputStream out = open();
    out.write(buffer, 0, heldLength);
    return out;
  }

  private OutputStream open() {
    OutputStream out = channel;
    if (out == null) {
      out = new ChannelOutputStream(exchange.getResponseChannel());
      channel = out;
    }
    return out;
  }
}
