package dev.gitward.proxy;

import dev.gitward.audit.AuditLog;
import dev.gitward.config.Limits;
import dev.gitward.policy.AccessPolicy;
import dev.gitward.policy.RepositoryName;
import dev.gitward.protocol.Probe;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.UploadPackBody;
import dev.gitward.token.TaskToken;
import dev.gitward.token.TokenRejectedException;
import dev.gitward.token.TokenVerifier;
import dev.gitward.upstream.CredentialUnavailableException;
import dev.gitward.upstream.Upstream;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.ImmediatePooledByteBuffer;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.channels.StreamSourceChannel;

/**
 * The event-loop path of allowed fetches. On the connection's I/O thread it decides a {@code GET
 * info/refs?service=git-upload-pack} or a small {@code POST git-upload-pack}, reads and checks the
 * body, and relays the request with {@link RelayedFetch}, so that no worker thread is woken and
 * none waits for the upstream.
 *
 * <p>Only the common case takes this path: a valid, allowed token, an upstream credential at hand,
 * a healthy audit log whose queue is at most half full, and a body of at most {@link
 * #MAX_BODY_BYTES} with a {@code Content-Length}. Every other request, every rejection included,
 * goes to the worker path, which decides it again from the start, with a body that was already read
 * put back first. The worker path stays the only place where a request is rejected, so both paths
 * reject alike.
 */
final class FetchRelay {
  private static final Logger log = LoggerFactory.getLogger(FetchRelay.class);

  /** Largest request body, as sent, that the event-loop path reads. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Largest inflated body that the event-loop path holds; a larger one goes to a worker. */
  static final int MAX_INFLATED_BYTES = 1 << 20;

  /**
   * Marks a request that the event-loop path took and then handed to a worker, with the number of
   * body bytes it read and put back. The worker then neither counts the request as started again
   * nor counts those bytes twice.
   */
  static final AttachmentKey<Long> HANDED_OVER = AttachmentKey.create(Long.class);

  private final Map<String, Upstream> upstreams;
  private final Map<String, RelayConnections> connections;
  private final TokenVerifier verifier;
  private final int maxTokenBytes;
  private final Limits limits;
  private final ProtocolLimits protocolLimits;
  private final AuditLog audit;

  FetchRelay(
      Map<String, Upstream> upstreams,
      TokenVerifier verifier,
      int maxTokenBytes,
      Limits limits,
      ProtocolLimits protocolLimits,
      AuditLog audit) {
    this.upstreams = upstreams;
    this.verifier = verifier;
    this.maxTokenBytes = maxTokenBytes;
    this.limits = limits;
    this.protocolLimits = protocolLimits;
    this.audit = audit;
    Map<String, RelayConnections> pools = new LinkedHashMap<>();
    upstreams.forEach((name, upstream) -> pools.put(name, connectionsTo(upstream)));
    this.connections = Map.copyOf(pools);
  }

  private static RelayConnections connectionsTo(Upstream upstream) {
    URI url = upstream.settings().url();
    URI origin = URI.create(url.getScheme() + "://" + url.getRawAuthority());
    if (!url.getScheme().equalsIgnoreCase("https")) {
      return new RelayConnections(origin, null, OptionMap.EMPTY);
    }
    // XNIO checks no host name unless configured to, and the blocking client always checks it.
    OptionMap options =
        OptionMap.create(UndertowOptions.ENDPOINT_IDENTIFICATION_ALGORITHM, "HTTPS");
    return new RelayConnections(
        origin, new UndertowXnioSsl(Xnio.getInstance(), options, upstream.client().tls()), options);
  }

  /**
   * Takes {@code exchange} onto the event-loop path and returns true, or returns false when a
   * worker must serve it. Runs on the I/O thread.
   *
   * @param worker the worker path, to which a request goes back when its body was read here
   * @param recorder records a relayed request once it ends
   */
  boolean tryStart(
      HttpServerExchange exchange,
      GitExchange state,
      HttpHandler worker,
      RelayedFetch.Recorder recorder) {
    Candidate candidate = candidate(exchange, state);
    if (candidate == null) {
      return false;
    }
    recorder.started(exchange, state);
    if (candidate.route().advertisement()) {
      Runnable fallback = () -> handOver(exchange, null, worker);
      exchange.dispatch(
          SameThreadExecutor.INSTANCE,
          () -> relay(exchange, state, candidate, null, recorder, fallback));
      return true;
    }
    byte[] body = new byte[(int) exchange.getRequestContentLength()];
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () -> new BodyReader(exchange, state, candidate, body, worker, recorder).read());
    return true;
  }

  /** The parts of an allowed fetch that the relay needs. */
  private record Candidate(
      GitRoute route, Upstream upstream, RepositoryName repository, Map<String, String> headers) {}

  /**
   * Returns the allowed fetch that {@code exchange} requests, or null unless everything about it is
   * the common case.
   */
  private @Nullable Candidate candidate(HttpServerExchange exchange, GitExchange state) {
    if (!hasSimpleShape(exchange) || !audit.hasRoom() || audit.problem().isPresent()) {
      return null;
    }
    String query = exchange.getQueryString();
    GitRoute route;
    try {
      route =
          GitRoute.parse(
              exchange.getRequestMethod().toString(),
              exchange.getRequestURI(),
              query == null || query.isEmpty() ? null : query);
    } catch (ProxyRejection e) {
      return null;
    }
    Upstream upstream = upstreams.get(route.upstream());
    if (route.service() != GitService.UPLOAD_PACK || upstream == null) {
      return null;
    }
    RepositoryName repository = upstream.repository(route.repositoryPath());
    TaskToken token = verifiedToken(exchange);
    if (token == null
        || !AccessPolicy.of(token, repository, upstream.settings().caseInsensitive())
            .fetch()
            .isAllowed()
        || !upstream.credential().answersAtOnce(repository, false)) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    try {
      upstream
          .credential()
          .authorization(repository, false)
          .ifPresent(value -> headers.put("Authorization", value));
    } catch (CredentialUnavailableException e) {
      return null;
    }
    state.route = route;
    state.repository = repository;
    state.token = token;
    state.protocolVersion = Forwarder.protocolVersion(exchange);
    state.refList = route.advertisement();
    Forwarder.clientHeaders(exchange, state, headers);
    return new Candidate(route, upstream, repository, headers);
  }

  /**
   * Returns whether the request is a GET or a POST whose body has a {@code Content-Length} of at
   * most {@link #MAX_BODY_BYTES}, without {@code Expect} or {@code Transfer-Encoding}.
   */
  private static boolean hasSimpleShape(HttpServerExchange exchange) {
    if (exchange.isHostIncludedInRequestURI()) {
      return false;
    }
    HeaderMap headers = exchange.getRequestHeaders();
    if (headers.contains(Headers.EXPECT) || headers.contains(Headers.TRANSFER_ENCODING)) {
      return false;
    }
    if (exchange.getRequestMethod().equals(Methods.GET)) {
      return !headers.contains(Headers.CONTENT_LENGTH);
    }
    long length = exchange.getRequestContentLength();
    return exchange.getRequestMethod().equals(Methods.POST)
        && length >= 0
        && length <= MAX_BODY_BYTES;
  }

  private @Nullable TaskToken verifiedToken(HttpServerExchange exchange) {
    List<String> values = exchange.getRequestHeaders().get(Headers.AUTHORIZATION);
    if (values == null) {
      return null;
    }
    try {
      return verifier.verify(TaskCredential.extract(List.copyOf(values), maxTokenBytes));
    } catch (ProxyRejection | TokenRejectedException e) {
      return null;
    }
  }

  private void relay(
      HttpServerExchange exchange,
      GitExchange state,
      Candidate candidate,
      byte @Nullable [] body,
      RelayedFetch.Recorder recorder,
      Runnable fallback) {
    state.decision = "allowed";
    new RelayedFetch(
            exchange,
            state,
            candidate.upstream(),
            connections.get(candidate.upstream().name()),
            candidate.headers(),
            body,
            recorder,
            fallback)
        .start();
  }

  /**
   * Puts {@code body}, the bytes read of the request body, back in front of the request channel and
   * dispatches the request to {@code worker}, which decides it from the start.
   */
  private static void handOver(
      HttpServerExchange exchange, @Nullable ByteBuffer body, HttpHandler worker) {
    long returned = 0;
    if (body != null) {
      ByteBuffer bytes = body.duplicate().flip();
      returned = bytes.remaining();
      if (bytes.hasRemaining()) {
        Connectors.ungetRequestBytes(exchange, new ImmediatePooledByteBuffer(bytes));
      }
      Connectors.resetRequestChannel(exchange);
    }
    exchange.putAttachment(HANDED_OVER, returned);
    exchange.dispatch(worker);
  }

  /**
   * Returns the body to forward, inflated, or null when the worker path must decide it: a body that
   * is not valid gzip, inflates past {@link #MAX_INFLATED_BYTES} or the configured limit, or is a
   * protocol v2 request that is invalid or names a command that is not forwarded.
   */
  private byte @Nullable [] checkedBody(
      byte[] raw, HttpServerExchange exchange, GitExchange state) {
    byte[] body = inflated(raw, exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING));
    if (body == null || body.length > limits.uploadPackRequest()) {
      return null;
    }
    if (!"version=2".equals(state.protocolVersion)) {
      return body;
    }
    try {
      UploadPackBody parsed =
          UploadPackHandler.forwardableCommand(
              new ByteArrayInputStream(body), state, protocolLimits);
      return parsed instanceof Probe probe ? probe.body() : body;
    } catch (ProxyRejection | IOException e) {
      return null;
    }
  }

  private static byte @Nullable [] inflated(byte[] raw, @Nullable String encoding) {
    RequestBody.Encoding kind = RequestBody.Encoding.of(encoding);
    if (kind == RequestBody.Encoding.IDENTITY) {
      return raw;
    }
    if (kind != RequestBody.Encoding.GZIP) {
      return null;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 8192)) {
      byte[] out = in.readNBytes(MAX_INFLATED_BYTES + 1);
      return out.length > MAX_INFLATED_BYTES ? null : out;
    } catch (IOException e) {
      return null;
    }
  }

  /** Reads a request body on the I/O thread, then relays the request or hands it to a worker. */
  private final class BodyReader {
    private final HttpServerExchange exchange;
    private final GitExchange state;
    private final Candidate candidate;
    private final ByteBuffer body;
    private final HttpHandler worker;
    private final RelayedFetch.Recorder recorder;
    private final StreamSourceChannel channel;

    BodyReader(
        HttpServerExchange exchange,
        GitExchange state,
        Candidate candidate,
        byte[] body,
        HttpHandler worker,
        RelayedFetch.Recorder recorder) {
      this.exchange = exchange;
      this.state = state;
      this.candidate = candidate;
      this.body = ByteBuffer.wrap(body);
      this.worker = worker;
      this.recorder = recorder;
      this.channel = exchange.getRequestChannel();
    }

    void read() {
      int count = 0;
      IOException failure = null;
      try {
        while (body.hasRemaining() && (count = channel.read(body)) > 0) {
          // Reads what has arrived.
        }
        if (count == 0 && body.hasRemaining()) {
          channel.getReadSetter().set(ignored -> read());
          channel.resumeReads();
          return;
        }
        if (!body.hasRemaining()) {
          count = channel.read(ByteBuffer.allocate(1));
        }
      } catch (IOException e) {
        failure = e;
      }
      channel.suspendReads();
      channel.getReadSetter().set(null);
      if (failure != null || body.hasRemaining()) {
        incomplete(failure);
        return;
      }
      done(count == -1);
    }

    /**
     * Ends a request whose body ended early or failed to arrive, without contacting the upstream.
     * The client gets a 400 when its connection is still open, for example after it closed only its
     * sending side, and the request is recorded either way.
     */
    private void incomplete(@Nullable IOException failure) {
      String reason =
          "request body ended after " + body.position() + " of " + body.capacity() + " bytes";
      log.info(
          "request {} failed while reading the client: {}{}",
          state.requestId,
          reason,
          failure == null ? "" : " (" + failure.getClass().getSimpleName() + ")");
      state.bytesIn = body.position();
      state.decision = "failed";
      exchange.setPersistent(false);
      exchange.setStatusCode(400);
      recorder.finished(exchange, state).run();
      if (exchange.isComplete() || !exchange.getConnection().isOpen()) {
        IoUtils.safeClose(exchange.getConnection());
        return;
      }
      Responses.text(
          exchange, 400, reason + " (expected: as many bytes as its Content-Length states)");
    }

    private void done(boolean complete) {
      byte[] checked = complete ? checkedBody(body.array(), exchange, state) : null;
      Runnable fallback = () -> handOver(exchange, body, worker);
      if (checked == null) {
        fallback.run();
        return;
      }
      state.bytesIn = body.position();
      relay(exchange, state, candidate, checked, recorder, fallback);
    }
  }
}
