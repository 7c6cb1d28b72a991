package dev.gitward.testing;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code git http-backend} as a CGI program for one request.
 *
 * <p>The request body is copied into the program's standard input on a pump thread while this
 * thread copies its standard output to the response, so neither direction waits for the other and
 * memory use does not grow with the transfer. Standard error is drained on a third thread.
 */
final class HttpBackendCall {
  private static final Logger log = LoggerFactory.getLogger(HttpBackendCall.class);
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int STDERR_MAX_BYTES = 64 * 1024;

  private final String program;
  private final Map<String, String> environment;
  private final ExecutorService threads;

  HttpBackendCall(String program, Map<String, String> environment, ExecutorService threads) {
    this.program = program;
    this.environment = Map.copyOf(environment);
    this.threads = threads;
  }

  /**
   * Runs the program and writes its status, headers and body to {@code exchange}, but leaves the
   * response open, so the caller can act before the client sees the end of the response.
   *
   * @return the status code sent
   */
  int run(HttpServerExchange exchange, CountingInputStream body) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(program);
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    Future<?> stdin = threads.submit(() -> pump(body, process.getOutputStream()));
    Future<String> stderr = threads.submit(() -> tail(process.getErrorStream()));
    try {
      int status = respond(exchange, new BufferedInputStream(process.getInputStream()), stderr);
      await(stdin, "request body pump");
      logFailure(exchange, process.waitFor(), stderr);
      return status;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for git http-backend", e);
    } finally {
      process.destroyForcibly();
    }
  }

  private static int respond(HttpServerExchange exchange, InputStream stdout, Future<String> stderr)
      throws IOException {
    Optional<CgiResponseHead> head = CgiResponseHead.read(stdout);
    if (head.isEmpty()) {
      String message = "git http-backend wrote no response head: " + await(stderr, "stderr");
      exchange.setStatusCode(502);
      exchange.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
      return 502;
    }
    exchange.setStatusCode(head.get().status());
    for (CgiResponseHead.Header header : head.get().headers()) {
      // Undertow frames the body itself, and chunked framing lets the caller record the
      // request before the client can see the end of the response.
      if (!header.name().equalsIgnoreCase("Content-Length")) {
        exchange.getResponseHeaders().add(new HttpString(header.name()), header.value());
      }
    }
    copy(stdout, exchange.getOutputStream());
    return head.get().status();
  }

  /**
   * Copies the body into the program. When the program stops reading, for example after an error
   * response, the rest of the body is still read and discarded, so the byte count is complete.
   */
  private static Void pump(CountingInputStream body, OutputStream stdin) throws IOException {
    boolean programReading = true;
    byte[] buffer = new byte[BUFFER_BYTES];
    try {
      for (int n; (n = body.read(buffer, 0, buffer.length)) >= 0; ) {
        programReading = programReading && write(stdin, buffer, n);
      }
    } finally {
      closeQuietly(stdin);
    }
    return null;
  }

  private static boolean write(OutputStream stdin, byte[] buffer, int length) {
    try {
      stdin.write(buffer, 0, length);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(OutputStream stdin) {
    try {
      stdin.close();
    } catch (IOException e) {
      // The program has exited and closed the pipe already.
    }
  }

  /** Returns standard error as text. Once it passes 64 KiB, the earlier part is dropped. */
  private static String tail(InputStream stderr) throws IOException {
    ByteArrayOutputStream retained = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (stderr) {
      for (int n; (n = stderr.read(buffer)) >= 0; ) {
        if (retained.size() + n > STDERR_MAX_BYTES) {
          retained.reset();
        }
        retained.write(buffer, 0, n);
      }
    }
    return retained.toString(StandardCharsets.UTF_8);
  }

  /** Copies, flushing whenever git has nothing more ready, as a real server passes keep-alives. */
  private static void copy(InputStream from, OutputStream to) throws IOException {
    byte[] buffer = new byte[BUFFER_BYTES];
    for (int n; (n = from.read(buffer)) >= 0; ) {
      to.write(buffer, 0, n);
      if (from.available() == 0) {
        to.flush();
      }
    }
  }

  private static void logFailure(HttpServerExchange exchange, int exitCode, Future<String> stderr)
      throws IOException {
    String errors = await(stderr, "stderr");
    if (exitCode != 0 || !errors.isBlank()) {
      log.warn(
          "git http-backend exited with {} for {} {}: {}",
          exitCode,
          exchange.getRequestMethod(),
          exchange.getRequestURI(),
          errors.strip());
    }
  }

  private static <T> T await(Future<T> task, String name) throws IOException {
    try {
      return task.get();
    } catch (ExecutionException e) {
      throw new IOException(name + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + name, e);
    }
  }
}
