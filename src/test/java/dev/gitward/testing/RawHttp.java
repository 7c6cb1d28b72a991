package dev.gitward.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A handwritten HTTP/1.1 exchange over a plain socket to a loopback port, for requests that no
 * well-behaved client library would send.
 */
public final class RawHttp implements AutoCloseable {
  private static final int MAX_RESPONSE_HEAD = 64 * 1024;

  private final Socket socket;
  private final PushbackInputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new PushbackInputStream(socket.getInputStream(), 1);
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code 127.0.0.1:port}; each read waits at most {@code readTimeout}. */
  public static RawHttp connect(int port, Duration readTimeout) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout((int) readTimeout.toMillis());
    return new RawHttp(socket);
  }

  /** Sends {@code text} as ISO-8859-1 bytes, exactly as written. */
  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  public OutputStream output() {
    return out;
  }

  /**
   * Closes the sending side only, so the server reads the end of the stream and can still respond.
   */
  public RawHttp shutdownOutput() throws IOException {
    socket.shutdownOutput();
    return this;
  }

  /** Reads one response head and, when it declares one, its body. */
  public Response readResponse() throws IOException {
    String head = readHead();
    List<String> lines = List.of(head.split("\r\n"));
    String[] statusLine = lines.get(0).split(" ", 3);
    List<String[]> headers = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
    }
    Response response = new Response(Integer.parseInt(statusLine[1]), headers, "");
    byte[] body = readBody(response);
    return new Response(response.status(), headers, new String(body, StandardCharsets.UTF_8));
  }

  /** Reads one response, or returns empty when the server closed without sending a byte. */
  public Optional<Response> readResponseOrClose() throws IOException {
    int first;
    try {
      first = in.read();
    } catch (java.net.SocketException e) {
      return Optional.empty();
    }
    if (first < 0) {
      return Optional.empty();
    }
    in.unread(first);
    return Optional.of(readResponse());
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (head.size() < MAX_RESPONSE_HEAD) {
      int b = in.read();
      if (b < 0) {
        throw new IOException(
            "connection closed after " + head.size() + " bytes of a response head");
      }
      head.write(b);
      byte[] bytes = head.toByteArray();
      int n = bytes.length;
      if (n >= 4
          && bytes[n - 4] == '\r'
          && bytes[n - 3] == '\n'
          && bytes[n - 2] == '\r'
          && bytes[n - 1] == '\n') {
        return new String(bytes, 0, n - 4, StandardCharsets.ISO_8859_1);
      }
    }
    throw new IOException("response head longer than " + MAX_RESPONSE_HEAD + " bytes");
  }

  private byte[] readBody(Response response) throws IOException {
    Optional<String> length = response.header("Content-Length");
    if (length.isPresent()) {
      return in.readNBytes(Integer.parseInt(length.get()));
    }
    if (response.header("Transfer-Encoding").isPresent()) {
      return readChunked();
    }
    return new byte[0];
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(readLine().trim(), 16);
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // Trailer fields are ignored.
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      readLine();
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Returns whether the server closed the connection: a read returns end of stream or a reset
   * within the socket's read timeout. Bytes that arrive instead count as an open connection.
   */
  public boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A parsed response; header lookups ignore case and {@code headers} keeps repeats. */
  public record Response(int status, List<String[]> headers, String body) {
    public Optional<String> header(String name) {
      return values(name).stream().findFirst();
    }

    public List<String> values(String name) {
      return headers.stream()
          .filter(
              header -> header[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
          .map(header -> header[1])
          .toList();
    }

    /** Returns whether the response declares exactly one framing: a length or chunked. */
    public boolean hasOneFraming() {
      return values("Content-Length").size() + values("Transfer-Encoding").size() == 1;
    }
  }
}
