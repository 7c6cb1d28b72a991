package dev.gitward.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes the responses that Gitward generates itself. */
final class Responses {
  static final String CHALLENGE = "Basic realm=\"gitward\"";
  static final HttpString REQUEST_ID = HttpString.tryFromString("X-Request-Id");

  private Responses() {}

  /** Sends {@code rejection} as {@code text/plain}, with the challenge on a 401. */
  static void reject(HttpServerExchange exchange, ProxyRejection rejection) {
    if (rejection.challenge()) {
      exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, CHALLENGE);
    }
    text(exchange, rejection.status(), rejection.getMessage());
  }

  /** Sends a one-line {@code text/plain} body with a fixed length. */
  static void text(HttpServerExchange exchange, int status, String reason) {
    byte[] body = ("gitward: " + oneLine(reason) + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.setResponseContentLength(body.length);
    if (!exchange.isBlocking()) {
      exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
      return;
    }
    // Written through the stream because the blocking sender ends the exchange at once, and a
    // connection closed with unread request bytes is reset before the client reads the response.
    try {
      OutputStream out = exchange.getOutputStream();
      out.write(body);
      out.flush();
    } catch (IOException e) {
      exchange.setPersistent(false);
    }
  }

  /** Returns {@code text} with line breaks and control characters replaced by spaces. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return out.toString();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
