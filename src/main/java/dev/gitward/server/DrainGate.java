package dev.gitward.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sends 503 with a reason and closes the connection once the server drains, so a new request during
 * shutdown fails fast and a client retries against another instance. Requests already past the gate
 * run on to the end or to the drain timeout.
 */
final class DrainGate implements HttpHandler {
  private static final byte[] REASON =
      "gitward: the proxy is shutting down and accepts no new requests; retry shortly\n"
          .getBytes(StandardCharsets.UTF_8);

  private final HttpHandler next;
  private volatile boolean draining;

  DrainGate(HttpHandler next) {
    this.next = next;
  }

  /** Makes every later request get the 503. */
  void close() {
    draining = true;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (!draining) {
      next.handleRequest(exchange);
      return;
    }
    exchange.setPersistent(false);
    exchange.setStatusCode(503);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "5");
    exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
    exchange.setResponseContentLength(REASON.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(REASON));
  }
}
