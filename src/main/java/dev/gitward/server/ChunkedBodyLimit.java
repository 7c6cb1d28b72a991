package dev.gitward.server;

import dev.gitward.proxy.BodyFramingException;
import io.undertow.conduits.ChunkedStreamSourceConduit;
import io.undertow.conduits.ReadDataStreamSourceConduit;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Checks the framing of a chunked request body with {@link ChunkFraming} before Undertow's chunk
 * decoder reads it, so that trailer fields, which Undertow 2.3 buffers without a bound, stay within
 * {@code limits.header-block} and {@code limits.header-count}.
 *
 * <p>Two conduits do the work. The inspecting conduit sits below Undertow's decoder, directly on
 * the socket, and receives every byte of the body once: the bytes that arrived with the request
 * head are inspected when it is installed. When it finds a problem it drops the bytes of that read
 * and returns no more, so the decoder never parses them. The reporting conduit sits above the
 * decoder and turns the problem into a {@link BodyFramingException} for whoever reads the body.
 * Undertow closes the connection itself when its decoder fails, but an exception from above the
 * decoder leaves the connection open long enough for the handler to send a 400 with {@code
 * Connection: close}.
 */
final class ChunkedBodyLimit {
  private ChunkedBodyLimit() {}

  /**
   * Installs the check on the chunked request of {@code exchange}. Must run before anything reads
   * the body.
   *
   * @return false, with nothing installed, when the connection is not an HTTP/1.1 connection, so
   *     that the caller can reject the body it cannot check
   */
  static boolean install(HttpServerExchange exchange, int maxTrailerBytes, int maxTrailerFields) {
    if (!(exchange.getConnection() instanceof HttpServerConnection connection)) {
      return false;
    }
    ChunkFraming framing = new ChunkFraming(maxTrailerBytes, maxTrailerFields);
    PooledByteBuffer early = connection.getExtraBytes();
    if (early != null) {
      framing.accept(early.getBuffer());
    }
    var source = connection.getChannel().getSourceChannel();
    Inspecting socket = new Inspecting(connection.getOriginalSourceConduit(), framing);
    // Replaces the decoder that Undertow installed, which has read nothing yet.
    source.setConduit(
        new ChunkedStreamSourceConduit(
            new ReadDataStreamSourceConduit(socket, connection),
            exchange,
            conduit -> {
              if (!conduit.isFinished()) {
                exchange.setPersistent(false);
              }
              Connectors.terminateRequest(exchange);
            }));
    exchange.addRequestWrapper(
        (factory, ignored) -> new Reporting(factory.create(), framing, socket));
    return true;
  }

  /** A conduit that reads into one buffer at a time and transfers through its own reads. */
  private abstract static class SingleBufferConduit
      extends AbstractStreamSourceConduit<StreamSourceConduit> {
    SingleBufferConduit(StreamSourceConduit next) {
      super(next);
    }

    @Override
    public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      for (int i = offset; i < offset + length; i++) {
        if (dsts[i].hasRemaining()) {
          return read(dsts[i]);
        }
      }
      return 0;
    }

    @Override
    public final long transferTo(long position, long count, FileChannel target) throws IOException {
      return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public final long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
        throws IOException {
      return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
    }
  }

  /** Inspects the raw bytes of the body as they are read from the socket. */
  private static final class Inspecting extends SingleBufferConduit {
    private final ChunkFraming framing;

    Inspecting(StreamSourceConduit next, ChunkFraming framing) {
      super(next);
      this.framing = framing;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (framing.problem() != null) {
        return 0;
      }
      int start = dst.position();
      int count = next.read(dst);
      if (count > 0 && !framing.accept(dst.duplicate().flip().position(start))) {
        dst.position(start);
        return 0;
      }
      return count;
    }

    /** Reads raw bytes from the socket without inspecting them. */
    int readUninspected(ByteBuffer dst) throws IOException {
      return next.read(dst);
    }
  }

  /**
   * Raises the problem that {@link Inspecting} found to the reader of the decoded body, once. Reads
   * after that return the raw bytes that follow on the socket, so that a lingering close can
   * discard them and the client reads the 400 before the connection closes.
   */
  private static final class Reporting extends SingleBufferConduit {
    private final ChunkFraming framing;
    private final Inspecting socket;
    private boolean reported;

    Reporting(StreamSourceConduit next, ChunkFraming framing, Inspecting socket) {
      super(next);
      this.framing = framing;
      this.socket = socket;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (reported) {
        return socket.readUninspected(dst);
      }
      check();
      int count = next.read(dst);
      if (count == 0) {
        check();
      }
      return count;
    }

    @Override
    public void awaitReadable() throws IOException {
      if (reported) {
        socket.awaitReadable();
      } else if (framing.problem() == null) {
        next.awaitReadable();
      }
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
      if (reported) {
        socket.awaitReadable(time, timeUnit);
      } else if (framing.problem() == null) {
        next.awaitReadable(time, timeUnit);
      }
    }

    private void check() throws BodyFramingException {
      String problem = framing.problem();
      if (problem != null) {
        reported = true;
        throw new BodyFramingException(problem);
      }
    }
  }
}
