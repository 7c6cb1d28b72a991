package dev.gitward.proxy;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioIoThread;
import org.xnio.ssl.XnioSsl;

/**
 * Keep-alive connections to one upstream for relayed fetches. Each I/O thread keeps its own idle
 * connections and is the only thread that touches them, so no lock is taken. They belong to the
 * proxy listener's I/O threads and close with them when the listener stops.
 */
final class RelayConnections {
  /** Idle connections kept per I/O thread; the oldest is closed to make room. */
  static final int MAX_IDLE_PER_THREAD = 64;

  private final URI origin;
  private final @Nullable XnioSsl tls;
  private final OptionMap options;
  private final Map<XnioIoThread, ArrayDeque<ClientConnection>> idle = new ConcurrentHashMap<>();

  /**
   * @param origin the upstream's scheme, host and port
   * @param tls the TLS context of an {@code https} origin, or null for {@code http}
   * @param options the options of each new connection, with {@code TCP_NODELAY} added
   */
  RelayConnections(URI origin, @Nullable XnioSsl tls, OptionMap options) {
    this.origin = origin;
    this.tls = tls;
    this.options = OptionMap.builder().addAll(options).set(Options.TCP_NODELAY, true).getMap();
  }

  /** Returns an idle open connection of {@code thread}, or null. Runs on {@code thread}. */
  @Nullable ClientConnection poll(XnioIoThread thread) {
    ArrayDeque<ClientConnection> connections = idleOf(thread);
    ClientConnection connection;
    while ((connection = connections.pollLast()) != null) {
      if (connection.isOpen()) {
        return connection;
      }
    }
    return null;
  }

  /** Opens a new connection on {@code thread} and hands it to {@code callback}. */
  void open(
      XnioIoThread thread, ByteBufferPool buffers, ClientCallback<ClientConnection> callback) {
    UndertowClient.getInstance().connect(callback, null, origin, thread, tls, buffers, options);
  }

  /**
   * Keeps {@code connection} for the next request of its I/O thread unless it is closed already.
   * Runs on the connection's I/O thread, after its response was read to the end.
   */
  void release(ClientConnection connection) {
    if (!connection.isOpen()) {
      IoUtils.safeClose(connection);
      return;
    }
    ArrayDeque<ClientConnection> connections = idleOf(connection.getIoThread());
    if (connections.size() >= MAX_IDLE_PER_THREAD) {
      IoUtils.safeClose(connections.pollFirst());
    }
    connections.addLast(connection);
  }

  private ArrayDeque<ClientConnection> idleOf(XnioIoThread thread) {
    return idle.computeIfAbsent(thread, ignored -> new ArrayDeque<>());
  }
}
