package dev.gitward.server;

import dev.gitward.proxy.ProxyRejection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejects requests whose target, {@code Host} or body framing is ambiguous before any other handler
 * receives them, and closes the connection so that no byte of such a request is read as the start
 * of the next one.
 *
 * <p>Undertow 2.3 already rejects a request with both {@code Content-Length} and {@code
 * Transfer-Encoding} or with two {@code Content-Length} headers. It joins an obsolete folded header
 * line to the field above it, so a folded {@code Transfer-Encoding} is no header at all. It passes
 * on a {@code Transfer-Encoding} that is not exactly {@code chunked}, and a {@code
 * Transfer-Encoding} on HTTP/1.0, and this guard rejects those.
 */
final class RequestFramingGuard implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(RequestFramingGuard.class);

  private final Set<String> allowedHosts;
  private final int maxTrailerBytes;
  private final int maxTrailerFields;
  private final HttpHandler next;

  /**
   * @param maxTrailerBytes the maximum size of a chunked body's trailer section
   * @param maxTrailerFields the maximum number of trailer fields
   */
  RequestFramingGuard(
      Set<String> allowedHosts, int maxTrailerBytes, int maxTrailerFields, HttpHandler next) {
    this.allowedHosts = Set.copyOf(allowedHosts);
    this.maxTrailerBytes = maxTrailerBytes;
    this.maxTrailerFields = maxTrailerFields;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String problem = problem(exchange);
    if (problem == null && isChunked(exchange)) {
      problem = installChunkCheck(exchange);
    }
    if (problem == null) {
      next.handleRequest(exchange);
      return;
    }
    log.info("request from {} rejected before routing: {}", exchange.getSourceAddress(), problem);
    reject(exchange, problem);
  }

  private static boolean isChunked(HttpServerExchange exchange) {
    return exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
  }

  /** Installs the chunked-body check, or returns why the body cannot be checked. */
  private String installChunkCheck(HttpServerExchange exchange) {
    if (ChunkedBodyLimit.install(exchange, maxTrailerBytes, maxTrailerFields)) {
      return null;
    }
    return "chunked body on a " + exchange.getProtocol() + " connection (expected: HTTP/1.1)";
  }

  private String problem(HttpServerExchange exchange) {
    if (exchange.isHostIncludedInRequestURI()
        || exchange.getRequestMethod().equals(Methods.CONNECT)) {
      return "absolute-form request target or CONNECT (expected: an origin-form path such as"
          + " /github.com/acme/widgets.git/info/refs)";
    }
    String host = hostProblem(exchange.getRequestHeaders().get(Headers.HOST));
    if (host != null) {
      return host;
    }
    return framingProblem(exchange);
  }

  private String hostProblem(HeaderValues values) {
    if (values == null || values.size() != 1) {
      return "Host header count "
          + (values == null ? 0 : values.size())
          + " (expected: exactly one Host header)";
    }
    String name = hostName(values.getFirst());
    if (!allowedHosts.contains(name)) {
      return "Host "
          + ProxyRejection.shorten(values.getFirst())
          + " is not served here (expected one of proxy.allowed-hosts: "
          + allowedHosts.stream().sorted().toList()
          + ")";
    }
    return null;
  }

  /** Returns the host part of a {@code Host} value, lower case, without the port. */
  static String hostName(String value) {
    String host = value.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  private static String framingProblem(HttpServerExchange exchange) {
    HeaderValues encodings = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
    HeaderValues lengths = exchange.getRequestHeaders().get(Headers.CONTENT_LENGTH);
    if (lengths != null && lengths.size() > 1) {
      return "Content-Length header count " + lengths.size() + " (expected: at most one)";
    }
    if (encodings == null) {
      return null;
    }
    if (lengths != null) {
      return "Content-Length with Transfer-Encoding (expected: one of them)";
    }
    if (encodings.size() != 1 || !encodings.getFirst().equalsIgnoreCase("chunked")) {
      return "Transfer-Encoding "
          + ProxyRejection.shorten(String.join(", ", encodings))
          + " (expected: exactly one Transfer-Encoding header whose value is chunked)";
    }
    if (!exchange.getProtocol().equals(Protocols.HTTP_1_1)) {
      return "Transfer-Encoding on " + exchange.getProtocol() + " (expected: HTTP/1.1)";
    }
    return null;
  }

  private static void reject(HttpServerExchange exchange, String problem) {
    byte[] body = ("gitward: " + problem + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.setPersistent(false);
    exchange.setStatusCode(400);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
    exchange.setResponseContentLength(body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }
}
