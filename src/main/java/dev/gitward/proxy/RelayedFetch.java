package dev.gitward.proxy;

import dev.gitward.upstream.Upstream;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One allowed fetch request relayed to its upstream without a blocked thread. The upstream request,
 * its response and the copy of the body to the client all run on the client connection's I/O
 * thread, as in an event-driven proxy such as nginx.
 *
 * <p>It maps failures as the blocking path does: a non-2xx upstream status or an I/O failure before
 * the response starts becomes a rejection that git prints, and a failure after that cuts the
 * client's connection. A request whose connection or request failed is sent once more on a new
 * connection, unless it timed out, because a pooled connection may have been closed by the upstream
 * while it was idle.
 */
final class RelayedFetch {
  private static final Logger log = LoggerFactory.getLogger(RelayedFetch.class);
  private static final int MAX_ATTEMPTS = 2;

  /** Records a relayed request. */
  interface Recorder {
    /** Records that the request was taken onto the event-loop path. */
    void started(HttpServerExchange exchange, GitExchange state);

    /**
     * Records the finished request's audit event and meters, and returns the logging of its access
     * line. The caller runs it once an allowed response ended, so that the client does not wait for
     * it, and before the response of a rejection.
     */
    Runnable finished(HttpServerExchange exchange, GitExchange state);
  }

  private final HttpServerExchange exchange;
  private final GitExchange state;
  private final Upstream upstream;
  private final RelayConnections connections;
  private final Map<String, String> headers;
  private final byte @Nullable [] body;
  private final Recorder recorder;
  private final Runnable fallback;
  private final XnioIoThread thread;
  private final long connectTimeoutMillis;
  private final long readIdleMillis;

  private int attempt;
  private int generation;
  private boolean reused;
  private long startNanos;
  private boolean finished;
  private @Nullable ClientConnection connection;
  private XnioExecutor.@Nullable Key timer;
  private long lastProgressNanos;
  private @Nullable StreamSourceChannel upstreamBody;
  private @Nullable StreamSinkChannel clientBody;
  private @Nullable PooledByteBuffer buffer;
  private boolean writing;
  private byte @Nullable [] held;
  private int heldLength;
  private @Nullable ByteBuffer heldOut;

  /**
   * @param headers the request headers for the upstream, its credential included
   * @param body the request body, or null for a GET
   */
  RelayedFetch(
      HttpServerExchange exchange,
      GitExchange state,
      Upstream upstream,
      RelayConnections connections,
      Map<String, String> headers,
      byte @Nullable [] body,
      Recorder recorder,
      Runnable fallback) {
    this.exchange = exchange;
    this.state = state;
    this.upstream = upstream;
    this.connections = connections;
    this.headers = headers;
    this.body = body;
    this.recorder = recorder;
    this.fallback = fallback;
    this.thread = exchange.getIoThread();
    this.connectTimeoutMillis = upstream.settings().connectTimeout().toMillis();
    this.readIdleMillis = upstream.settings().readIdleTimeout().toMillis();
  }

  /**
   * Starts the relay. Runs on the exchange's I/O thread, which the exchange must be dispatched to.
   */
  void start() {
    int current = ++generation;
    attempt++;
    if (attempt == 1) {
      startNanos = System.nanoTime();
    }
    ClientConnection idle = current == 1 ? connections.poll(thread) : null;
    if (idle != null) {
      connected(current, idle, true);
      return;
    }
    arm(connectTimeoutMillis, () -> fail(current, new SocketTimeoutException("connect timed out")));
    connections.open(
        thread,
        exchange.getConnection().getByteBufferPool(),
        new ClientCallback<>() {
          @Override
          public void completed(ClientConnection result) {
            connected(current, result, false);
          }

          @Override
          public void failed(IOException e) {
            fail(current, e);
          }
        });
  }

  private void connected(int current, ClientConnection result, boolean idle) {
    if (finished || current != generation) {
      connections.release(result);
      return;
    }
    disarm();
    connection = result;
    reused = idle;
    lastProgressNanos = System.nanoTime();
    armIdleCheck();
    result.sendRequest(
        request(),
        new ClientCallback<>() {
          @Override
          public void completed(ClientExchange sent) {
            sent.setResponseListener(
                new ClientCallback<>() {
                  @Override
                  public void completed(ClientExchange answered) {
                    state.upstreamNanos = System.nanoTime() - startNanos;
                    guarded(() -> responded(answered));
                  }

                  @Override
                  public void failed(IOException e) {
                    fail(current, e);
                  }
                });
            sendBody(current, sent.getRequestChannel());
          }

          @Override
          public void failed(IOException e) {
            fail(current, e);
          }
        });
  }

  private ClientRequest request() {
    URI target = upstream.resolve(state.route.repositoryPath(), state.route.upstreamSuffix());
    String path =
        target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    ClientRequest request =
        new ClientRequest().setMethod(body == null ? Methods.GET : Methods.POST).setPath(path);
    HeaderMap out = request.getRequestHeaders();
    out.put(
        Headers.HOST,
        target.getPort() < 0 ? target.getHost() : target.getHost() + ":" + target.getPort());
    headers.forEach((name, value) -> out.put(HttpString.tryFromString(name), value));
    if (body != null) {
      out.put(Headers.CONTENT_TYPE, GitService.UPLOAD_PACK.requestType());
      out.put(Headers.CONTENT_LENGTH, body.length);
    }
    return request;
  }

  /** Writes the request body, if any, and ends the request. */
  private void sendBody(int current, StreamSinkChannel channel) {
    ByteBuffer bytes = ByteBuffer.wrap(body == null ? new byte[0] : body);
    channel.getWriteSetter().set(ignored -> writeBody(current, channel, bytes));
    writeBody(current, channel, bytes);
  }

  private void writeBody(int current, StreamSinkChannel channel, ByteBuffer bytes) {
    try {
      while (bytes.hasRemaining()) {
        if (channel.write(bytes) == 0) {
          channel.resumeWrites();
          return;
        }
      }
      channel.suspendWrites();
      channel.getWriteSetter().set(null);
      channel.shutdownWrites();
      if (!channel.flush()) {
        channel
            .getWriteSetter()
            .set(ChannelListeners.flushingChannelListener(null, (ch, e) -> fail(current, e)));
        channel.resumeWrites();
      }
    } catch (IOException e) {
      fail(current, e);
    }
  }

  private void responded(ClientExchange answered) {
    if (finished) {
      return;
    }
    lastProgressNanos = System.nanoTime();
    ClientResponse response = answered.getResponse();
    int status = response.getResponseCode();
    state.upstreamStatus = status;
    if (status < 200 || status >= 300) {
      dropConnection();
      reject(UpstreamFailure.forStatus(status, upstream.name(), state.repository.path()));
      return;
    }

    exchange.setStatusCode(status);
    HeaderMap from = response.getResponseHeaders();
    copyResponseHeaders(from);
    StreamSourceChannel source = answered.getResponseChannel();
    upstreamBody = source;
    buffer = exchange.getConnection().getByteBufferPool().allocate();
    source.getReadSetter().set(ignored -> guarded(this::copy));

    if (state.refList) {
      held = new byte[1024];
    } else {
      String length = from.getFirst(Headers.CONTENT_LENGTH);
      if (length != null && from.getFirst(Headers.TRANSFER_ENCODING) == null) {
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
      } else {
        exchange.getResponseHeaders().put(Headers.TRANSFER_ENCODING, "chunked");
      }
      openClientBody();
    }
    copy();
  }

  /** Copies the response headers that reach the client, as the blocking path does. */
  private void copyResponseHeaders(HeaderMap from) {
    for (String name : Forwarder.RESPONSE_HEADERS) {
      String value = from.getFirst(name);
      if (value != null) {
        exchange.getResponseHeaders().put(HttpString.tryFromString(name), value);
      }
    }
  }

  private void openClientBody() {
    StreamSinkChannel sink = exchange.getResponseChannel();
    sink.getWriteSetter().set(ignored -> guarded(this::copy));
    clientBody = sink;
  }

  /**
   * Copies the upstream's response body to the client until its end. When the upstream has nothing
   * more ready, the client's channel is flushed, so that progress messages and keep-alive packets
   * reach git at once. A client that reads slowly stops the reads from the upstream.
   *
   * <p>A ref list is held back up to {@link Forwarder#HELD_BODY_LIMIT} bytes, as on the blocking
   * path: a short one goes out with its length, and an upstream that cuts it gets the client a 502
   * instead of a cut connection.
   */
  private void copy() {
    StreamSourceChannel source = upstreamBody;
    PooledByteBuffer pooled = buffer;
    if (finished || source == null || pooled == null) {
      return;
    }
    ByteBuffer bytes = pooled.getBuffer();
    try {
      for (; ; ) {
        if (writing && !writeOut(source, bytes)) {
          return;
        }
        int read;
        try {
          read = source.read(bytes);
        } catch (IOException e) {
          upstreamFailed(e);
          return;
        }
        if (read > 0) {
          lastProgressNanos = System.nanoTime();
          bytes.flip();
          if (held != null && hold(bytes)) {
            continue;
          }
          writing = true;
        } else if (read == 0) {
          waitForUpstream(source);
          return;
        } else {
          completed();
          return;
        }
      }
    } catch (IOException e) {
      clientGone(e);
    }
  }

  /**
   * Writes the held bytes, if any, and then {@code bytes} to the client. Returns false when the
   * client cannot take more now, after arranging to continue when it can.
   */
  private boolean writeOut(StreamSourceChannel source, ByteBuffer bytes) throws IOException {
    StreamSinkChannel sink = clientBody;
    ByteBuffer first = heldOut;
    while ((first != null && first.hasRemaining()) || bytes.hasRemaining()) {
      long written =
          first == null ? sink.write(bytes) : sink.write(new ByteBuffer[] {first, bytes}, 0, 2);
      if (written == 0) {
        source.suspendReads();
        sink.resumeWrites();
        return false;
      }
      state.bytesOut += written;
      lastProgressNanos = System.nanoTime();
    }
    heldOut = null;
    writing = false;
    bytes.clear();
    return true;
  }

  /**
   * Appends {@code bytes} to the held ref list and returns true, or returns false after the list
   * passed the limit: then the response streams chunked with the held bytes first.
   */
  private boolean hold(ByteBuffer bytes) {
    byte[] list = held;
    int length = bytes.remaining();
    if (heldLength + length <= Forwarder.HELD_BODY_LIMIT) {
      if (heldLength + length > list.length) {
        list =
            java.util.Arrays.copyOf(
                list,
                Math.min(
                    Forwarder.HELD_BODY_LIMIT, Math.max(heldLength + length, 2 * list.length)));
        held = list;
      }
      bytes.get(list, heldLength, length);
      heldLength += length;
      bytes.clear();
      return true;
    }
    heldOut = ByteBuffer.wrap(list, 0, heldLength);
    held = null;
    exchange.getResponseHeaders().put(Headers.TRANSFER_ENCODING, "chunked");
    openClientBody();
    return false;
  }

  private void waitForUpstream(StreamSourceChannel source) throws IOException {
    StreamSinkChannel sink = clientBody;
    if (sink == null || sink.flush()) {
      if (sink != null) {
        sink.suspendWrites();
      }
      source.resumeReads();
    } else {
      source.suspendReads();
      sink.resumeWrites();
    }
  }

  /**
   * Runs {@code step} of the relay from an I/O callback. An unexpected error ends the request with
   * a closed connection instead of leaving it open with no step left to run.
   */
  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.error("request {} relay failed with an unexpected error", state.requestId, e);
      if (!finished) {
        dropConnection();
        state.decision = "failed";
        closeClient();
      }
    }
  }

  /** Returns the upstream connection to the pool once its response ended, and ends the request. */
  private void completed() {
    StreamSinkChannel sink = clientBody;
    if (sink != null) {
      sink.suspendWrites();
      sink.getWriteSetter().set(null);
    }
    ClientConnection done = connection;
    connection = null;
    if (done != null) {
      connections.release(done);
    }
    state.decision = "allowed";
    byte[] list = held;
    if (list == null) {
      finish(true);
      return;
    }
    held = null;
    state.bytesOut += heldLength;
    exchange.setResponseContentLength(heldLength);
    Runnable access = finish(false);
    try {
      exchange
          .getResponseSender()
          .send(
              ByteBuffer.wrap(list, 0, heldLength),
              new IoCallback() {
                @Override
                public void onComplete(HttpServerExchange ended, Sender sender) {
                  try {
                    IoCallback.END_EXCHANGE.onComplete(ended, sender);
                  } finally {
                    access.run();
                  }
                }

                @Override
                public void onException(
                    HttpServerExchange ended, Sender sender, IOException exception) {
                  try {
                    IoCallback.END_EXCHANGE.onException(ended, sender, exception);
                  } finally {
                    access.run();
                  }
                }
              });
    } catch (RuntimeException e) {
      log.error("request {} ref list could not be sent", state.requestId, e);
      IoUtils.safeClose(exchange.getConnection());
      access.run();
    }
  }

  /** Rejects the request, or cuts the response that started, after the upstream failed. */
  private void upstreamFailed(IOException error) {
    if (clientBody == null) {
      dropConnection();
      log.warn(
          "upstream {} response failed before it reached the client: {}",
          upstream.name(),
          error.getClass().getSimpleName());
      reject(UpstreamFailure.forException(error, upstream.name(), state.repository.path()));
    } else {
      cut(error);
    }
  }

  /**
   * Fails attempt {@code current}: sends it again, rejects the request, or cuts the response that
   * started. A failure of an earlier attempt, which the connection's other callbacks may report
   * again, is ignored.
   */
  private void fail(int current, IOException error) {
    if (finished || current != generation) {
      return;
    }
    if (state.upstreamNanos < 0) {
      state.upstreamNanos = System.nanoTime() - startNanos;
    }
    disarm();
    dropConnection();
    boolean timedOut = error instanceof SocketTimeoutException;
    if (upstreamBody != null) {
      upstreamFailed(error);
      return;
    }
    if (reused && error instanceof ClosedChannelException) {
      // The upstream had closed the kept connection while it was idle, so the request never left.
      log.debug("upstream {} closed a kept connection: {}", upstream.name(), error.toString());
      attempt--;
      start();
      return;
    }
    log.warn(
        "upstream {} request failed on attempt {} of {} on a {} connection: {}",
        upstream.name(),
        attempt,
        MAX_ATTEMPTS,
        reused ? "kept" : "new",
        error.getClass().getSimpleName());
    if (!timedOut && attempt < MAX_ATTEMPTS) {
      start();
      return;
    }
    if (error instanceof ClosedChannelException
        && upstream.settings().url().getScheme().equals("https")) {
      // XNIO closes the channel on a failed TLS handshake without reporting the cause, so the
      // worker path, whose client reports it, tries once more and names the cause to the client.
      finished = true;
      disarm();
      fallback.run();
      return;
    }
    reject(UpstreamFailure.forException(error, upstream.name(), state.repository.path()));
  }

  /** Cuts the client's connection because the upstream failed while its body streamed. */
  private void cut(IOException error) {
    dropConnection();
    log.warn(
        "request {} transfer cut after {} bytes to the client: {}",
        state.requestId,
        state.bytesOut,
        error.getClass().getSimpleName());
    state.decision = "failed";
    closeClient();
  }

  private void clientGone(IOException error) {
    dropConnection();
    log.info(
        "request {} failed while writing to the client: {}",
        state.requestId,
        error.getClass().getSimpleName());
    state.decision = "failed";
    closeClient();
  }

  private void closeClient() {
    exchange.setPersistent(false);
    IoUtils.safeClose(exchange.getConnection());
    finish(true);
  }

  private void reject(ProxyRejection rejection) {
    state.decision = RequestRecorder.decisionFor(state, rejection);
    GitProxyHandler.logRejection(state, rejection);
    exchange.setStatusCode(rejection.status());
    finish(false).run();
    Responses.reject(exchange, rejection);
  }

  /**
   * Records the request and, when {@code endExchange} is set, ends the exchange and logs the access
   * line. The audit event and the meters are written before the response ends, as on the blocking
   * path. The access line is logged after it, so that the client does not wait for it.
   *
   * @return the logging of the access line, which a caller that ends the exchange itself runs
   */
  private Runnable finish(boolean endExchange) {
    finished = true;
    disarm();
    PooledByteBuffer pooled = buffer;
    buffer = null;
    if (pooled != null) {
      pooled.close();
    }
    Runnable access = recorder.finished(exchange, state);
    if (endExchange) {
      exchange.endExchange();
      access.run();
    }
    return access;
  }

  /**
   * Closes the current upstream connection. Closing it fails its exchange at once, so the
   * generation moves on first and that failure is ignored.
   */
  private void dropConnection() {
    ClientConnection open = connection;
    connection = null;
    generation++;
    IoUtils.safeClose(open);
  }

  private void armIdleCheck() {
    arm(readIdleMillis, this::checkIdle);
  }

  private void checkIdle() {
    timer = null;
    if (finished) {
      return;
    }
    long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastProgressNanos);
    if (idleMillis < readIdleMillis) {
      arm(readIdleMillis - idleMillis, this::checkIdle);
      return;
    }
    fail(generation, new SocketTimeoutException("no upstream data for " + idleMillis + " ms"));
  }

  private void arm(long millis, Runnable task) {
    disarm();
    timer = thread.executeAfter(task, Math.max(1, millis), TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    XnioExecutor.Key key = timer;
    timer = null;
    if (key != null) {
      key.remove();
    }
  }
}
