package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.FakeUpstream;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that stall, trickle, reset, truncate or fail, faked on loopback: the client gets a 502
 * or 504 with a reason before streaming starts and a closed connection after, a push is never
 * retried, and a broken upstream connection is never reused.
 */
class UpstreamFaultsTest {
  private static final String ADVERTISEMENT =
      "/fake/owner/repo.git/info/refs?service=git-upload-pack";
  private static FakeUpstream upstream;
  private static GitwardFixture fixture;
  private static String token;

  @BeforeAll
  static void start() throws IOException {
    upstream = FakeUpstream.start();
    int refused;
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refused = unused.getLocalPort();
    }
    fixture =
        GitwardFixture.builder()
            .yaml(upstreamYaml("fake", upstream.port()) + upstreamYaml("refused", refused))
            .start();
    token =
        fixture.mint(
            "task-faults",
            List.of(
                GitwardFixture.fetch("fake/owner/repo"),
                GitwardFixture.fetch("refused/owner/repo"),
                GitwardFixture.refs("fake/owner/repo", "refs/heads/agent/**", Action.CREATE)));
  }

  private static String upstreamYaml(String name, int port) {
    return "  "
        + name
        + ":\n    url: http://127.0.0.1:"
        + port
        + "\n    credentials:\n      type: none\n"
        + "    timeouts:\n      connect: 1s\n      read-idle: 1s\n";
  }

  @AfterAll
  static void stop() throws IOException {
    fixture.close();
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.behave(FakeUpstream::ok);
    upstream.clear();
  }

  private static RawHttp connect() throws IOException {
    return RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(20));
  }

  private static RawHttp.Response get(String target) throws IOException {
    try (RawHttp http = connect()) {
      http.send(
          "GET "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + token
              + "\r\n\r\n");
      return http.readResponse();
    }
  }

  @Test
  void stallBeforeHeaders_gets504() throws IOException {
    upstream.behave(
        (request, socket) -> {
          Thread.sleep(5_000);
          return false;
        });
    long start = System.nanoTime();
    RawHttp.Response response = get(ADVERTISEMENT);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(504, response.status(), response.body());
    assertTrue(response.body().contains("timed out"), response.body());
    assertTrue(elapsed.toMillis() < 4_500, "elapsed: " + elapsed);
  }

  @Test
  void trickleBelowIdleTimeout_succeeds() throws IOException {
    String body = "0008abcd0000";
    upstream.behave(
        (request, socket) -> {
          FakeUpstream.write(socket, FakeUpstream.response(200, "").replace("0\r\n", "12\r\n"));
          for (char c : body.toCharArray()) {
            Thread.sleep(250);
            FakeUpstream.write(socket, String.valueOf(c));
          }
          return true;
        });
    RawHttp.Response response = get(ADVERTISEMENT);
    assertEquals(200, response.status());
    assertEquals(body, response.body());
  }

  @Test
  void resetBeforeHeaders_getRetriedOnce() throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    upstream.behave(
        (request, socket) -> {
          attempts.incrementAndGet();
          socket.setSoLinger(true, 0);
          return false;
        });
    RawHttp.Response response = get(ADVERTISEMENT);
    assertEquals(502, response.status(), response.body());
    assertTrue(response.body().contains("upstream fake"), response.body());
    assertEquals(2, upstream.requests().size(), "requests: " + upstream.requests());
  }

  @Test
  void resetOnce_getSucceedsOnRetry() throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    upstream.behave(
        (request, socket) -> {
          if (attempts.incrementAndGet() == 1) {
            socket.setSoLinger(true, 0);
            return false;
          }
          return FakeUpstream.ok(request, socket);
        });
    RawHttp.Response response = get(ADVERTISEMENT);
    assertEquals(200, response.status(), response.body());
    assertEquals(2, upstream.requests().size());
  }

  @Test
  void resetDuringPush_notRetried() throws IOException {
    upstream.behave(
        (request, socket) -> {
          socket.setSoLinger(true, 0);
          return false;
        });
    String command = "0".repeat(40) + " " + "1".repeat(40) + " refs/heads/agent/x\0report-status\n";
    byte[] body =
        (String.format("%04x", command.length() + 4) + command + "0000PACK")
            .getBytes(StandardCharsets.ISO_8859_1);
    RawHttp.Response response;
    try (RawHttp http = connect()) {
      http.send(
          "POST /fake/owner/repo.git/git-receive-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Authorization: Bearer "
              + token
              + "\r\nContent-Type: application/x-git-receive-pack-request\r\nContent-Length: "
              + body.length
              + "\r\n\r\n");
      http.send(body);
      response = http.readResponse();
    }
    assertEquals(502, response.status(), response.body());
    assertEquals(1, upstream.requests().size(), "requests: " + upstream.requests());
  }

  @Test
  void truncatedRefList_gets502BeforeAnyByteAndConnectionNotReused() throws IOException {
    upstream.behave(UpstreamFaultsTest::truncatedBody);
    RawHttp.Response response = get(ADVERTISEMENT);
    // A ref list is held back until it ends, so the cut is seen before the client gets a byte.
    assertEquals(502, response.status(), response.body());
    assertTrue(response.body().contains("upstream fake failed"), response.body());
    assertUpstreamConnectionNotReused();
  }

  @Test
  void truncatedFetch_clientConnectionClosedNotReused() throws IOException {
    upstream.behave(UpstreamFaultsTest::truncatedBody);
    byte[] body =
        "0032want 0123456789012345678901234567890123456789\n00000009done\n"
            .getBytes(StandardCharsets.US_ASCII);
    try (RawHttp http = connect()) {
      http.send(
          "POST /fake/owner/repo.git/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Authorization: Bearer "
              + token
              + "\r\nContent-Type: application/x-git-upload-pack-request\r\nContent-Length: "
              + body.length
              + "\r\n\r\n");
      http.send(body);
      IOException cut = null;
      try {
        http.readResponse();
      } catch (IOException e) {
        cut = e;
      }
      // A fetch response streams from its first byte, so the cut can only close the connection.
      assertTrue(cut != null || http.closedByServer(), "client connection closed");
    }
    assertUpstreamConnectionNotReused();
  }

  private static void assertUpstreamConnectionNotReused() throws IOException {
    upstream.behave(FakeUpstream::ok);
    assertEquals(200, get(ADVERTISEMENT).status());
    List<FakeUpstream.Request> requests = upstream.requests();
    assertEquals(2, requests.size(), "requests: " + requests);
    assertNotEquals(requests.get(0).connection(), requests.get(1).connection());
  }

  /** Sends a 200 that announces 1000 body bytes, sends 100 of them and closes the connection. */
  private static boolean truncatedBody(FakeUpstream.Request request, Socket socket)
      throws IOException {
    String head = FakeUpstream.response(200, "x".repeat(1000));
    FakeUpstream.write(socket, head.substring(0, head.length() - 900));
    return false;
  }

  @Test
  void status5xx_gets502WithReason() throws IOException {
    upstream.behave(
        (request, socket) -> {
          FakeUpstream.write(socket, FakeUpstream.response(503, "busy"));
          return true;
        });
    RawHttp.Response response = get(ADVERTISEMENT);
    assertEquals(502, response.status());
    assertTrue(response.body().contains("HTTP 503"), response.body());
  }

  @Test
  void connectionRefused_gets502Unreachable() throws IOException {
    RawHttp.Response response = get("/refused/owner/repo.git/info/refs?service=git-upload-pack");
    assertEquals(502, response.status());
    assertTrue(response.body().contains("unreachable"), response.body());
  }

  /** A server whose accept queue is full drops new SYNs, so connecting times out. */
  @Test
  void connectTimeout_gets504() throws IOException {
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      java.util.ArrayList<Socket> fillers = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Socket filler = new Socket();
          try {
            filler.connect(full.getLocalSocketAddress(), 300);
          } catch (IOException e) {
            break;
          }
          fillers.add(filler);
        }
        GitwardFixture second =
            GitwardFixture.builder().yaml(upstreamYaml("full", full.getLocalPort())).start();
        try (second) {
          String fullToken =
              second.mint("task-full", List.of(GitwardFixture.fetch("full/owner/repo")));
          try (RawHttp http =
              RawHttp.connect(second.server().proxyAddress().getPort(), Duration.ofSeconds(20))) {
            http.send(
                "GET /full/owner/repo.git/info/refs?service=git-upload-pack HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nAuthorization: Bearer "
                    + fullToken
                    + "\r\n\r\n");
            RawHttp.Response response = http.readResponse();
            assertEquals(504, response.status(), response.body());
          }
        }
      } finally {
        for (Socket filler : fillers) {
          filler.close();
        }
      }
    }
  }
}
