package dev.gitward.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} on a free loopback port, without persistence. Tests that need one are
 * skipped with a message when the Debian package {@code redis-server} is not installed.
 */
public final class RedisServer implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a server, or skips the calling test when {@code redis-server} is missing. */
  public static RedisServer start() {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY),
        "redis-server is not installed (apt-get install redis-server), so this test is skipped");
    int port = freePort();
    Path log = ScratchDirectories.create("redis").resolve("redis.log");
    try {
      Process process =
          new ProcessBuilder(
                  List.of(
                      BINARY.toString(),
                      "--port",
                      Integer.toString(port),
                      "--bind",
                      "127.0.0.1",
                      "--save",
                      "",
                      "--appendonly",
                      "no"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      RedisServer server = new RedisServer(process, port);
      server.awaitListening(Duration.ofSeconds(10));
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("redis-server failed to start: " + e.getMessage(), e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }

  private void awaitListening(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("redis-server did not listen on port " + port + " in " + limit);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns the URL for {@code revocations.redis}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server and waits until it has exited. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
