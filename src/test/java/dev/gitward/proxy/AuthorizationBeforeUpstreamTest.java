package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing goes upstream, and no {@code 100 Continue} goes to the client, before the token and, for
 * a push, its command list are approved; a rejected request with a huge body costs bounded time.
 */
class AuthorizationBeforeUpstreamTest {
  private static final long ONE_GIB = 1L << 30;
  private static final String ZERO_ID = "0".repeat(40);
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.builder().yaml("limits:\n  push-body: 1MiB\n").start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @BeforeEach
  void clearLog() {
    fixture.upstream().clearRequests();
  }

  private static String host() {
    return "127.0.0.1:" + fixture.server().proxyAddress().getPort();
  }

  private static RawHttp connect() throws IOException {
    return RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(20));
  }

  @Test
  void expectContinue_badToken_noContinue() throws IOException {
    try (RawHttp http = connect()) {
      http.send(
          "POST /local/owner/allowed.git/git-receive-pack HTTP/1.1\r\nHost: "
              + host()
              + "\r\nAuthorization: Bearer not-a-token\r\nExpect: 100-continue\r\n"
              + "Content-Type: application/x-git-receive-pack-request\r\n"
              + "Content-Length: 1000\r\n\r\n");
      RawHttp.Response response = http.readResponse();
      assertEquals(401, response.status());
      assertEquals(List.of("Basic realm=\"gitward\""), response.values("WWW-Authenticate"));
      assertTrue(http.closedByServer(), "connection closed");
    }
    assertEquals(List.of(), fixture.upstream().requests());
  }

  @Test
  void expectContinue_validToken_continueSent() throws IOException {
    try (RawHttp http = connect()) {
      http.send(
          "POST /local/owner/allowed.git/git-receive-pack HTTP/1.1\r\nHost: "
              + host()
              + "\r\nAuthorization: Bearer "
              + fixture.tokenR()
              + "\r\nExpect: 100-continue\r\n"
              + "Content-Type: application/x-git-receive-pack-request\r\n"
              + "Content-Length: 4\r\n\r\n");
      RawHttp.Response interim = http.readResponse();
      assertEquals(100, interim.status());
    }
  }

  @Test
  void unauthenticatedHugeBody_closedPromptly() throws Exception {
    String head =
        "POST /local/owner/allowed.git/git-receive-pack HTTP/1.1\r\nHost: "
            + host()
            + "\r\nContent-Type: application/x-git-receive-pack-request\r\n"
            + "Content-Length: "
            + ONE_GIB
            + "\r\n\r\n";
    Outcome outcome = sendHugeBody(head, new byte[0], false);
    assertEquals(401, outcome.status());
    assertTrue(outcome.closed(), "connection closed");
    assertTrue(outcome.bytesSent() < 64L << 20, "body bytes sent: " + outcome.bytesSent());
    assertTrue(outcome.elapsed().toSeconds() < 10, "elapsed: " + outcome.elapsed());
    assertEquals(List.of(), fixture.upstream().requests());
  }

  @Test
  void deniedPushHugeBody_closedAfterLimit() throws Exception {
    String head =
        "POST /local/owner/allowed.git/git-receive-pack HTTP/1.1\r\nHost: "
            + host()
            + "\r\nAuthorization: Bearer "
            + fixture.tokenR()
            + "\r\nContent-Type: application/x-git-receive-pack-request\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";
    String command = ZERO_ID + " " + "1".repeat(40) + " refs/heads/main\0report-status\n";
    byte[] commands =
        (String.format("%04x", command.length() + 4) + command + "0000")
            .getBytes(StandardCharsets.ISO_8859_1);
    Outcome outcome = sendHugeBody(head, commands, true);
    assertEquals(200, outcome.status());
    assertTrue(outcome.oneFraming(), "one framing: " + outcome.body());
    assertTrue(outcome.body().contains("ng refs/heads/main"), outcome.body());
    assertTrue(outcome.closed(), "connection closed");
    assertTrue(outcome.bytesSent() < 64L << 20, "body bytes sent: " + outcome.bytesSent());
    assertTrue(outcome.elapsed().toSeconds() < 20, "elapsed: " + outcome.elapsed());
    assertEquals(List.of(), fixture.upstream().requests());
  }

  record Outcome(
      int status,
      String body,
      boolean oneFraming,
      boolean closed,
      long bytesSent,
      Duration elapsed) {}

  /**
   * Sends {@code head}, then {@code prefix} and zeros up to 1 GiB from a writer thread, until the
   * proxy closes the connection, and reads the response meanwhile.
   */
  private static Outcome sendHugeBody(String head, byte[] prefix, boolean chunked)
      throws Exception {
    long start = System.nanoTime();
    try (RawHttp http = connect()) {
      http.send(head);
      AtomicLong sent = new AtomicLong();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(() -> writeZeros(http.output(), prefix, chunked, sent));
      RawHttp.Response response = http.readResponse();
      boolean closed = http.closedByServer();
      http.close();
      writer.get(30, TimeUnit.SECONDS);
      return new Outcome(
          response.status(),
          response.headers().stream().map(h -> h[0] + ": " + h[1]).toList() + response.body(),
          response.hasOneFraming(),
          closed,
          sent.get(),
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private static void writeZeros(
      OutputStream out, byte[] prefix, boolean chunked, AtomicLong sent) {
    byte[] block = new byte[64 * 1024];
    try {
      writeChunk(out, prefix, chunked);
      while (sent.get() < ONE_GIB) {
        writeChunk(out, block, chunked);
        sent.addAndGet(block.length);
      }
    } catch (IOException e) {
      // The proxy closed the connection, which is the expected end.
    }
  }

  private static void writeChunk(OutputStream out, byte[] bytes, boolean chunked)
      throws IOException {
    if (chunked) {
      out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    out.write(bytes);
    if (chunked) {
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
  }
}
