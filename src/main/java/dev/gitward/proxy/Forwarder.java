package dev.gitward.proxy;

import dev.gitward.policy.RepositoryName;
import dev.gitward.upstream.CredentialUnavailableException;
import dev.gitward.upstream.Upstream;
import dev.gitward.upstream.UpstreamClient;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the upstream request from the parsed parts and an allow-list of headers, attaches the
 * upstream credential, and streams the response back to the client.
 */
final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final HttpString GIT_PROTOCOL = HttpString.tryFromString("Git-Protocol");

  /** Response headers passed from the upstream to the client; all others are dropped. */
  static final List<String> RESPONSE_HEADERS =
      List.of("Content-Type", "Cache-Control", "Expires", "Pragma", "Content-Encoding");

  private static final int BUFFER_SIZE = 64 * 1024;

  /**
   * Bytes of a ref list held back to send it with its length. The advertisement of a repository
   * with a few hundred refs fits; a larger one streams chunked after its first 64 KiB.
   */
  static final int HELD_BODY_LIMIT = 64 * 1024;

  private Forwarder() {}

  /** Rewrites a response body while it streams to the client. */
  @FunctionalInterface
  interface BodyRewriter {
    void copy(InputStream upstream, OutputStream client) throws IOException;
  }

  /** The request that goes upstream. */
  record Outgoing(
      Upstream upstream,
      GitRoute route,
      RepositoryName repository,
      boolean write,
      @Nullable InputStream body,
      long length,
      @Nullable String contentType) {}

  /**
   * Forwards {@code outgoing} and streams the response to the client.
   *
   * @param rewriter rewrites the body, or null to copy it unchanged
   * @throws ProxyRejection when the upstream failed before any response byte was sent
   */
  static void forward(
      HttpServerExchange exchange,
      GitExchange state,
      Outgoing outgoing,
      @Nullable BodyRewriter rewriter)
      throws ProxyRejection {
    Upstream upstream = outgoing.upstream();
    String repository = outgoing.repository().path();
    Map<String, String> headers = requestHeaders(exchange, state, outgoing);
    long started = System.nanoTime();
    UpstreamClient.Exchange call;
    try {
      call = open(upstream, outgoing, headers, repository);
    } finally {
      state.upstreamNanos = System.nanoTime() - started;
    }
    try {
      ClassicHttpResponse response = call.response();
      state.upstreamNanos = System.nanoTime() - started;
      state.upstreamStatus = response.getCode();
      if (response.getCode() < 200 || response.getCode() >= 300) {
        call.abort();
        throw UpstreamFailure.forStatus(response.getCode(), upstream.name(), repository);
      }
      copyResponse(exchange, state, response, rewriter);
    } catch (IOException e) {
      call.abort();
      handleStreamFailure(exchange, state, e);
    } finally {
      closeQuietly(call);
    }
  }

  private static UpstreamClient.Exchange open(
      Upstream upstream, Outgoing outgoing, Map<String, String> headers, String repository)
      throws ProxyRejection {
    int attempts = outgoing.body() == null ? 2 : 1;
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        return upstream
            .client()
            .open(
                upstream.resolve(
                    outgoing.route().repositoryPath(), outgoing.route().upstreamSuffix()),
                headers,
                outgoing.body(),
                outgoing.length(),
                outgoing.contentType());
      } catch (LimitedInputStream.LimitExceededException e) {
        // The client's body passed its limit while it streamed upstream; the upstream saw a
        // truncated request, which git rejects without updating a ref.
        throw new ProxyRejection(413, e.getMessage());
      } catch (BodyFramingException e) {
        throw ProxyRejection.badRequest(e.getMessage());
      } catch (IOException e) {
        last = e;
        log.warn(
            "upstream {} request failed on attempt {} of {}: {}",
            upstream.name(),
            attempt,
            attempts,
            e.getClass().getSimpleName());
      }
    }
    throw UpstreamFailure.forException(last, upstream.name(), repository);
  }

  private static Map<String, String> requestHeaders(
      HttpServerExchange exchange, GitExchange state, Outgoing outgoing) throws ProxyRejection {
    Map<String, String> headers = new LinkedHashMap<>();
    try {
      outgoing
          .upstream()
          .credential()
          .authorization(outgoing.repository(), outgoing.write())
          .ifPresent(value -> headers.put("Authorization", value));
    } catch (CredentialUnavailableException e) {
      log.warn(
          "request {} upstream {} credential unavailable: {}",
          state.requestId,
          outgoing.upstream().name(),
          e.getMessage());
      throw new ProxyRejection(
          e.temporary() ? 503 : 502,
          "no upstream credential for "
              + outgoing.repository()
              + ": "
              + e.getMessage()
              + (e.temporary()
                  ? "; try again later"
                  : "; the operator must check upstreams." + outgoing.upstream().name()));
    }
    clientHeaders(exchange, state, headers);
    return headers;
  }

  /**
   * Adds the client's headers that reach the upstream: {@code User-Agent} and {@code Accept} up to
   * 256 characters, and a valid {@code Git-Protocol}.
   */
  static void clientHeaders(
      HttpServerExchange exchange, GitExchange state, Map<String, String> headers) {
    HeaderMap client = exchange.getRequestHeaders();
    String userAgent = client.getFirst(Headers.USER_AGENT);
    if (userAgent != null && userAgent.length() <= 256) {
      headers.put("User-Agent", userAgent);
    }
    String accept = client.getFirst(Headers.ACCEPT);
    if (accept != null && accept.length() <= 256) {
      headers.put("Accept", accept);
    }
    if (state.protocolVersion != null) {
      headers.put("Git-Protocol", state.protocolVersion);
    }
  }

  /** Returns the {@code Git-Protocol} value to forward: {@code version=1} or {@code version=2}. */
  static @Nullable String protocolVersion(HttpServerExchange exchange) {
    String value = exchange.getRequestHeaders().getFirst(GIT_PROTOCOL);
    if ("version=2".equals(value) || "version=1".equals(value)) {
      return value;
    }
    return null;
  }

  private static void copyResponse(
      HttpServerExchange exchange,
      GitExchange state,
      ClassicHttpResponse response,
      @Nullable BodyRewriter rewriter)
      throws IOException {
    exchange.setStatusCode(response.getCode());
    for (String name : RESPONSE_HEADERS) {
      Header header = response.getFirstHeader(name);
      if (header != null) {
        exchange.getResponseHeaders().put(HttpString.tryFromString(name), header.getValue());
      }
    }
    HttpEntity entity = response.getEntity();
    if (entity == null) {
      exchange.setResponseContentLength(0);
      return;
    }
    HeldResponseBody client;
    if (state.refList) {
      client = HeldResponseBody.holding(exchange, HELD_BODY_LIMIT);
    } else {
      if (rewriter == null && entity.getContentLength() >= 0 && !isPush(state)) {
        exchange.setResponseContentLength(entity.getContentLength());
      } else {
        // A push's response is chunked, so that it is complete only after its last chunk, which
        // goes out when the exchange ends: after the push's audit event is on disk.
        // Stated explicitly because Undertow sends a body of unknown length without any framing
        // once the exchange is no longer persistent.
        exchange.getResponseHeaders().put(Headers.TRANSFER_ENCODING, "chunked");
      }
      client = HeldResponseBody.streaming(exchange);
    }
    try (InputStream body = entity.getContent()) {
      if (rewriter == null) {
        copy(body, client, bufferSize(entity.getContentLength()));
      } else {
        rewriter.copy(body, client);
      }
      state.heldBody = client.finish();
    } finally {
      state.bytesOut += client.count();
      state.responseOnChannel = client.opened();
    }
  }

  private static boolean isPush(GitExchange state) {
    return state.route != null
        && state.route.service() == GitService.RECEIVE_PACK
        && !state.route.advertisement();
  }

  /**
   * Copies until the end of {@code in}, flushing whenever the upstream has nothing more ready so
   * that progress messages and keep-alive packets reach the client at once.
   */
  static long copy(InputStream in, OutputStream out) throws IOException {
    return copy(in, out, BUFFER_SIZE);
  }

  /**
   * Returns the copy buffer size for a body of {@code length} bytes, where -1 means unknown. A
   * small body, such as a ref advertisement, gets a buffer of its own size: allocating and zeroing
   * 64 KiB took a quarter of a worker's CPU samples for {@code GET info/refs}.
   */
  private static int bufferSize(long length) {
    return length < 0 || length > BUFFER_SIZE ? BUFFER_SIZE : (int) Math.max(length, 512);
  }

  private static long copy(InputStream in, OutputStream out, int bufferSize) throws IOException {
    byte[] buffer = new byte[bufferSize];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
      total += n;
      if (in.available() == 0) {
        out.flush();
      }
    }
    out.flush();
    return total;
  }

  private static void handleStreamFailure(
      HttpServerExchange exchange, GitExchange state, IOException error) throws ProxyRejection {
    if (!exchange.isResponseStarted()) {
      throw UpstreamFailure.forException(
          error,
          state.route == null ? "?" : state.route.upstream(),
          state.repository == null ? "?" : state.repository.path());
    }
    log.warn(
        "request {} transfer cut after {} bytes to the client: {}",
        state.requestId,
        state.bytesOut,
        error.getClass().getSimpleName());
    state.decision = "failed";
    exchange.setPersistent(false);
    try {
      exchange.getConnection().close();
    } catch (IOException e) {
      // The connection is gone either way.
    }
  }

  private static void closeQuietly(UpstreamClient.Exchange call) {
    try {
      call.close();
    } catch (IOException e) {
      call.abort();
    }
  }
}
