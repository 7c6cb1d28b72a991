package dev.gitward.proxy;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and discards a bounded part of an unread request body after Gitward has sent its response
 * and before the connection closes. Closing a socket with unread input makes the kernel send a
 * reset, which can destroy the response before the client reads it, so git would print {@code
 * Connection reset} in place of the reason.
 */
final class LingeringClose {
  /** Maximum bytes discarded; a client that sends more after the response gets the reset. */
  static final long MAX_BYTES = 4L << 20;

  /** Maximum time spent discarding, checked between reads. */
  static final long MAX_NANOS = 2_000_000_000L;

  private LingeringClose() {}

  /**
   * Discards up to {@link #MAX_BYTES} of the rest of the body, for about two seconds at most unless
   * one read waits for the client's read-idle timeout. A request rejected before its body was read
   * is closed at once instead: it was not authorized to send one.
   */
  static void drain(HttpServerExchange exchange, boolean bodyStarted) {
    if (!bodyStarted || exchange.isRequestComplete() || !exchange.isBlocking()) {
      return;
    }
    long deadline = System.nanoTime() + MAX_NANOS;
    byte[] buffer = new byte[64 * 1024];
    long discarded = 0;
    try {
      InputStream body = exchange.getInputStream();
      int n;
      while (discarded < MAX_BYTES && System.nanoTime() < deadline) {
        n = body.read(buffer);
        if (n < 0) {
          return;
        }
        discarded += n;
      }
    } catch (IOException e) {
      // The client closed or broke the connection, which ends the drain as well.
    }
  }
}
