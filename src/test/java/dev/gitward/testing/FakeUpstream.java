package dev.gitward.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving upstream on 127.0.0.1: a raw HTTP/1.1 server whose response to each request is
 * chosen by a test, so it can stall, trickle, reset or truncate. It records every request with the
 * number of the connection that carried it.
 */
public final class FakeUpstream implements AutoCloseable {
  /** What the server does with one request; it returns whether to keep the connection. */
  @FunctionalInterface
  public interface Behaviour {
    boolean respond(Request request, Socket socket) throws IOException, InterruptedException;
  }

  /** One request as received, without its body. */
  public record Request(int connection, String method, String target) {}

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(FakeUpstream::daemon);
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Request> requests = new ArrayList<>();
  private volatile Behaviour behaviour = FakeUpstream::ok;

  private FakeUpstream(ServerSocket server) {
    this.server = server;
    threads.execute(this::acceptLoop);
  }

  public static FakeUpstream start() throws IOException {
    return new FakeUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "fake-upstream");
    thread.setDaemon(true);
    return thread;
  }

  public int port() {
    return server.getLocalPort();
  }

  public void behave(Behaviour next) {
    this.behaviour = next;
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public void clear() {
    synchronized (requests) {
      requests.clear();
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        int id = connections.incrementAndGet();
        threads.execute(() -> serve(socket, id));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket, int id) {
    try (socket) {
      socket.setSoTimeout(30_000);
      InputStream in = socket.getInputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        Request request = new Request(id, requestLine[0], requestLine[1]);
        synchronized (requests) {
          requests.add(request);
        }
        skipBody(in, head);
        if (!behaviour.respond(request, socket)) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // The proxy closed the connection or the test ended.
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.endsWith("\r\n\r\n")) {
        return text;
      }
    }
    return null;
  }

  private static void skipBody(InputStream in, String head) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    int at = lower.indexOf("content-length:");
    if (at >= 0) {
      long length = Long.parseLong(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
      in.readNBytes((int) length);
    } else if (lower.contains("transfer-encoding: chunked")) {
      while (true) {
        int size = Integer.parseInt(readLine(in).trim(), 16);
        in.readNBytes(size);
        readLine(in);
        if (size == 0) {
          return;
        }
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /** Sends 200 with a short advertisement-typed body and keeps the connection. */
  public static boolean ok(Request request, Socket socket) throws IOException {
    write(socket, response(200, "0000"));
    return true;
  }

  /** Returns a response with a {@code Content-Length} and body {@code body}. */
  public static String response(int status, String body) {
    return "HTTP/1.1 "
        + status
        + " X\r\nContent-Type: application/x-git-upload-pack-advertisement\r\n"
        + "Content-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  public static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
