package dev.gitward.proxy;

import dev.gitward.audit.AuditEvent;
import dev.gitward.audit.AuditLog;
import dev.gitward.config.Limits;
import dev.gitward.metrics.GitwardMeters;
import dev.gitward.policy.AccessPolicy;
import dev.gitward.policy.Decision;
import dev.gitward.policy.RepositoryName;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.ReceivePackAdvertisement;
import dev.gitward.token.TaskToken;
import dev.gitward.token.TokenRejectedException;
import dev.gitward.token.TokenVerifier;
import dev.gitward.upstream.Upstream;
import io.undertow.io.AsyncSenderImpl;
import io.undertow.io.IoCallback;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.xnio.IoUtils;

/**
 * The proxy listener's handler: parses the target, authenticates the task token, decides with its
 * grants and hands the request to the fetch or push handler. Every failure is a rejection, never a
 * forward.
 */
public final class GitProxyHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(GitProxyHandler.class);

  private final Map<String, Upstream> upstreams;
  private final TokenVerifier verifier;
  private final int maxTokenBytes;
  private final ProtocolLimits protocolLimits;
  private final UploadPackHandler uploadPack;
  private final ReceivePackHandler receivePack;
  private final RequestRecorder recorder;
  private final FetchRelay relay;
  private final RelayedFetch.Recorder relayRecorder;

  public GitProxyHandler(
      Map<String, Upstream> upstreams,
      TokenVerifier verifier,
      int maxTokenBytes,
      Limits limits,
      Path spoolDirectory,
      AuditLog audit,
      GitwardMeters meters) {
    this.upstreams = Map.copyOf(upstreams);
    this.verifier = verifier;
    this.maxTokenBytes = maxTokenBytes;
    this.protocolLimits =
        new ProtocolLimits(
            limits.pktLine(), limits.commandSection(), limits.commands(), limits.refName());
    this.uploadPack = new UploadPackHandler(limits, protocolLimits);
    this.receivePack = new ReceivePackHandler(limits, protocolLimits, spoolDirectory);
    this.recorder = new RequestRecorder(audit, meters);
    this.relay =
        new FetchRelay(this.upstreams, verifier, maxTokenBytes, limits, protocolLimits, audit);
    this.relayRecorder = new RelayRecorder();
  }

  /** Records the requests of the event-loop path as the worker path records its own. */
  private final class RelayRecorder implements RelayedFetch.Recorder {
    @Override
    public void started(HttpServerExchange exchange, GitExchange state) {
      recorder.started();
      exchange.getResponseHeaders().put(Responses.REQUEST_ID, state.requestId);
    }

    /**
     * Records a relayed request on its I/O thread.
     *
     * <p>NOTE: the audit log waits while its queue is full, and on this path that would stall every
     * connection of the I/O thread. FetchRelay takes a request only while the queue is at most half
     * full, so only a burst of more than {@code audit.queue-size / 2} relayed requests finishing
     * together can wait here.
     */
    @Override
    public Runnable finished(HttpServerExchange exchange, GitExchange state) {
      AuditEvent event = recorder.finished(exchange, state);
      return () -> {
        MDC.put("request_id", state.requestId);
        try {
          RequestRecorder.logAccess(exchange, state, event);
        } finally {
          MDC.remove("request_id");
        }
      };
    }
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      if (!relay.tryStart(exchange, new GitExchange(newRequestId()), this, relayRecorder)) {
        exchange.dispatch(this);
      }
      return;
    }
    GitExchange state = new GitExchange(newRequestId());
    Long handedOver = exchange.getAttachment(FetchRelay.HANDED_OVER);
    if (handedOver == null) {
      exchange.addRequestWrapper(
          (factory, ignored) -> new CountingSourceConduit(factory.create(), state));
      recorder.started();
    } else {
      // The event-loop path counted the request and read its body, which it put back.
      state.bytesIn = handedOver;
    }
    exchange.startBlocking();
    exchange.getResponseHeaders().put(Responses.REQUEST_ID, state.requestId);
    MDC.put("request_id", state.requestId);
    try {
      serve(exchange, state);
    } catch (ProxyRejection rejection) {
      state.decision = RequestRecorder.decisionFor(state, rejection);
      if (!exchange.isRequestComplete()) {
        // Otherwise Undertow reads and discards the unread body to keep the connection, which
        // lets an unauthenticated client hold a worker for a body as large as it likes.
        exchange.setPersistent(false);
      }
      if (exchange.isResponseStarted()) {
        exchange.setPersistent(false);
      } else {
        Responses.reject(exchange, rejection);
        LingeringClose.drain(exchange, state.token != null);
      }
      logRejection(state, rejection);
    } catch (IOException e) {
      state.decision = "failed";
      log.info(
          "request {} failed while reading the client: {}",
          state.requestId,
          e instanceof BodyFramingException
              ? Responses.oneLine(e.getMessage())
              : e.getClass().getSimpleName());
      exchange.setPersistent(false);
      if (!exchange.isResponseStarted()) {
        Responses.text(
            exchange,
            e instanceof LimitedInputStream.LimitExceededException ? 413 : 400,
            Responses.oneLine(String.valueOf(e.getMessage())));
        LingeringClose.drain(exchange, state.token != null);
      }
    } catch (RuntimeException e) {
      state.decision = "failed";
      log.error("request {} failed with an unexpected error", state.requestId, e);
      exchange.setPersistent(false);
      if (!exchange.isResponseStarted()) {
        Responses.text(exchange, 500, "internal error; the request was not forwarded");
      }
    } finally {
      AuditEvent event = recorder.finished(exchange, state);
      end(exchange, state);
      RequestRecorder.logAccess(exchange, state, event);
      MDC.remove("request_id");
    }
  }

  /**
   * Ends the exchange, on the connection's I/O thread when the response was written to the response
   * channel or held whole, and the request body is read. A held body is sent there too.
   *
   * <p>Undertow 2.3 hands a keep-alive connection to the next request in {@code
   * HttpReadListener.exchangeComplete}. Called from a worker thread, that method resumes reads
   * while it keeps a state that makes the I/O thread spin in {@code handleEvent} when the next
   * request arrives at once, as git's next request does. On a loaded machine the worker then waits
   * for a core while the I/O thread spins: a profile of forwarded {@code GET info/refs} requests
   * put 80% of Gitward's samples in that loop, about 0.3 ms of CPU per request. From the I/O
   * thread, the same method takes no lock and spins never. The blocking streams are closed here
   * first, because closing them can block.
   */
  private static void end(HttpServerExchange exchange, GitExchange state) {
    ByteBuffer held = state.heldBody;
    if (!(state.responseOnChannel || held != null) || !exchange.isRequestComplete()) {
      if (held != null) {
        sendBlocking(exchange, held);
      }
      exchange.endExchange();
      return;
    }
    try {
      exchange.getInputStream().close();
    } catch (IOException e) {
      exchange.setPersistent(false);
    }
    exchange.dispatch(exchange.getIoThread(), () -> endOnIoThread(exchange, state.requestId, held));
  }

  private static void endOnIoThread(
      HttpServerExchange exchange, String requestId, @Nullable ByteBuffer held) {
    try {
      if (held == null) {
        exchange.endExchange();
      } else {
        new AsyncSenderImpl(exchange).send(held, IoCallback.END_EXCHANGE);
      }
    } catch (RuntimeException e) {
      log.warn("request {} response could not be ended, so its connection is closed", requestId, e);
      IoUtils.safeClose(exchange.getConnection());
    }
  }

  private static void sendBlocking(HttpServerExchange exchange, ByteBuffer body) {
    try {
      exchange.getOutputStream().write(body.array(), body.arrayOffset(), body.remaining());
    } catch (IOException e) {
      exchange.setPersistent(false);
    }
  }

  private void serve(HttpServerExchange exchange, GitExchange state)
      throws ProxyRejection, IOException {
    recorder.admit(state);
    if (exchange.isHostIncludedInRequestURI()
        || exchange.getRequestMethod().equals(Methods.CONNECT)) {
      throw ProxyRejection.badRequest(
          "absolute-form request target or CONNECT (expected: an"
              + " origin-form path such as /github.com/acme/widgets.git/info/refs)");
    }
    String query = exchange.getQueryString();
    GitRoute route =
        GitRoute.parse(
            exchange.getRequestMethod().toString(),
            exchange.getRequestURI(),
            query == null || query.isEmpty() ? null : query);
    state.route = route;
    state.refList = route.advertisement();
    Upstream upstream = upstreams.get(route.upstream());
    if (upstream == null) {
      throw ProxyRejection.notFound(
          "unknown upstream "
              + ProxyRejection.shorten(route.upstream())
              + " (expected one of: "
              + upstreams.keySet().stream().sorted().collect(Collectors.joining(", "))
              + ")");
    }
    RepositoryName repository = upstream.repository(route.repositoryPath());
    state.repository = repository;
    state.protocolVersion = Forwarder.protocolVersion(exchange);
    TaskToken token = authenticate(exchange, state);
    state.token = token;
    AccessPolicy policy = AccessPolicy.of(token, repository, upstream.settings().caseInsensitive());
    dispatch(exchange, state, upstream, route, policy);
  }

  private void dispatch(
      HttpServerExchange exchange,
      GitExchange state,
      Upstream upstream,
      GitRoute route,
      AccessPolicy policy)
      throws ProxyRejection, IOException {
    if (route.service() == GitService.UPLOAD_PACK) {
      require(state, policy.fetch());
      if (route.advertisement()) {
        Forwarder.forward(
            exchange,
            state,
            new Forwarder.Outgoing(upstream, route, state.repository, false, null, -1, null),
            null);
      } else {
        uploadPack.handle(exchange, state, upstream, route);
      }
      return;
    }
    if (route.advertisement()) {
      require(state, policy.pushAdvertisement());
      Forwarder.forward(
          exchange,
          state,
          new Forwarder.Outgoing(upstream, route, state.repository, true, null, -1, null),
          this::rewriteAdvertisement);
    } else {
      receivePack.handle(exchange, state, upstream, route, policy);
    }
  }

  private void rewriteAdvertisement(java.io.InputStream upstream, java.io.OutputStream client)
      throws IOException {
    try {
      ReceivePackAdvertisement.rewrite(upstream, client, protocolLimits);
    } catch (ProtocolException e) {
      throw new IOException(
          "malformed receive-pack advertisement from the upstream: " + e.getMessage(), e);
    }
  }

  private static void require(GitExchange state, Decision decision) throws ProxyRejection {
    if (!decision.isAllowed()) {
      state.reason = decision.reason().orElseThrow().code();
      throw ProxyRejection.forbidden(decision.message());
    }
    state.decision = "allowed";
  }

  private TaskToken authenticate(HttpServerExchange exchange, GitExchange state)
      throws ProxyRejection {
    var headers = exchange.getRequestHeaders().get(Headers.AUTHORIZATION);
    String token =
        TaskCredential.extract(
            headers == null ? java.util.List.of() : java.util.List.copyOf(headers), maxTokenBytes);
    try {
      return verifier.verify(token);
    } catch (TokenRejectedException e) {
      state.tokenRejection = e.reason();
      if (e.reason() == TokenRejectedException.Reason.REVOCATION_UNAVAILABLE) {
        // The token may be valid, so the client gets a retryable error and no challenge.
        throw new ProxyRejection(503, "task token not checked: " + e.getMessage());
      }
      throw ProxyRejection.unauthorized("task token rejected: " + e.getMessage());
    }
  }

  /** Logs a rejected request, on either path. */
  static void logRejection(GitExchange state, ProxyRejection rejection) {
    log.info(
        "request {} rejected with {}: {}",
        state.requestId,
        rejection.status(),
        rejection.getMessage());
  }

  /**
   * Returns a random request id of 16 hex digits. It only correlates log lines and audit events, so
   * it needs no SecureRandom, whose NativePRNG read {@code /dev/urandom} on every request.
   */
  private static String newRequestId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }
}
