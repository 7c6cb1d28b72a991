package dev.gitward.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling and malformed framing, sent over a raw socket: each request gets a 4xx or 5xx
 * from Gitward, the connection closes, and nothing reaches the upstream.
 */
class SmugglingTest {
  private static final String PUSH = "/local/owner/allowed.git/git-receive-pack";
  private static final String FETCH = "/local/owner/allowed.git/git-upload-pack";

  /** The status of a case that Undertow ends by closing the connection without a response. */
  private static final int CLOSED = 0;

  private static GitwardFixture fixture;
  private static String host;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.builder().proxyYaml("  client-read-idle-timeout: 2s\n").start();
    host = "127.0.0.1:" + fixture.server().proxyAddress().getPort();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @BeforeEach
  void clearLog() {
    fixture.upstream().clearRequests();
  }

  record Case(String name, String request, Set<Integer> statuses) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> unauthenticatedCases() {
    String post = "POST " + FETCH + " HTTP/1.1\r\nHost: HOST\r\n";
    return List.of(
        new Case(
            "content-length with transfer-encoding",
            post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            Set.of(400)),
        new Case(
            "two content-lengths",
            post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n0000\r\n",
            Set.of(400)),
        new Case(
            "two equal content-lengths",
            post + "Content-Length: 4\r\nContent-Length: 4\r\n\r\n0000",
            Set.of(400)),
        new Case(
            "transfer-encoding list",
            post + "Transfer-Encoding: chunked , x\r\n\r\n0\r\n\r\n",
            Set.of(400, 501)),
        new Case(
            "transfer-encoding xchunked",
            post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
            Set.of(400, 501)),
        new Case(
            "transfer-encoding identity",
            post + "Transfer-Encoding: identity\r\n\r\n0000",
            Set.of(400, 501)),
        new Case(
            "transfer-encoding twice",
            post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            Set.of(400, 501)),
        new Case(
            "transfer-encoding space before colon",
            post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            Set.of(400, 501)),
        new Case(
            "transfer-encoding vertical tab",
            post + "Transfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n",
            Set.of(400, 501)),
        new Case(
            "transfer-encoding on http/1.0",
            "POST "
                + FETCH
                + " HTTP/1.0\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            Set.of(400, 501)),
        new Case(
            "header block over limit",
            post + "X-Pad: " + "a".repeat(20 * 1024) + "\r\n\r\n",
            Set.of(400, 431)),
        new Case("too many headers", post + "X-Pad: a\r\n".repeat(150) + "\r\n", Set.of(400, 431)),
        new Case(
            "absolute-form target",
            "GET http://HOST/local/owner/allowed.git/info/refs?service=git-upload-pack"
                + " HTTP/1.1\r\nHost: HOST\r\n\r\n",
            Set.of(400)),
        new Case(
            "connect",
            "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: HOST\r\n\r\n",
            Set.of(400, 405, 501)),
        new Case(
            "host missing",
            "GET /local/owner/allowed.git/info/refs?service=git-upload-pack HTTP/1.1\r\n\r\n",
            Set.of(400)),
        new Case(
            "host not allowed",
            "GET /local/owner/allowed.git/info/refs?service=git-upload-pack HTTP/1.1\r\n"
                + "Host: attacker.example\r\n\r\n",
            Set.of(400)),
        new Case(
            "two hosts",
            "GET /local/owner/allowed.git/info/refs?service=git-upload-pack HTTP/1.1\r\n"
                + "Host: HOST\r\nHost: attacker.example\r\n\r\n",
            Set.of(400)));
  }

  /** Bodies that only an authenticated push reads, because the command list comes first. */
  static List<Case> bodyCases() {
    String post =
        "POST "
            + PUSH
            + " HTTP/1.1\r\nHost: HOST\r\nAuthorization: Bearer TOKEN\r\n"
            + "Content-Type: application/x-git-receive-pack-request\r\n";
    String chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
    return List.of(
        new Case("chunk size over 64 bits", chunked + "f".repeat(40) + "\r\nabcd\r\n", Set.of(400)),
        new Case("chunk size not hex", chunked + "zz\r\nabcd\r\n0\r\n\r\n", Set.of(400)),
        new Case("chunk size missing", chunked + "\r\n4\r\n0000\r\n0\r\n\r\n", Set.of(400)),
        new Case(
            "chunk size followed by garbage", chunked + "4 x\r\n0000\r\n0\r\n\r\n", Set.of(400)),
        new Case("chunk without its line break", chunked + "4\r\n0000XX0\r\n\r\n", Set.of(400)),
        new Case("chunk lines with bare LF", chunked + "4\n0000\n0\n\n", Set.of(400)),
        new Case(
            "chunk extension over limit",
            chunked + "4;x=" + "a".repeat(ChunkFraming.MAX_SIZE_LINE) + "\r\n0000\r\n0\r\n\r\n",
            Set.of(400)),
        new Case(
            "trailer section over limit",
            chunked + "4\r\n0000\r\n0\r\n" + "X-Pad: " + "a".repeat(20 * 1024) + "\r\n\r\n",
            Set.of(400)),
        new Case(
            "too many trailer fields",
            chunked + "4\r\n0000\r\n0\r\n" + "X-Pad: a\r\n".repeat(150) + "\r\n",
            Set.of(400)),
        new Case(
            "trailer field without colon",
            chunked + "4\r\n0000\r\n0\r\nX-Pad\r\n\r\n",
            Set.of(400)),
        new Case(
            "trailer field with bare LF",
            chunked + "4\r\n0000\r\n0\r\nX-Pad: a\n\r\n",
            Set.of(400)),
        new Case(
            "body shorter than content-length",
            post + "Content-Length: 100\r\n\r\n0000",
            Set.of(CLOSED, 400)));
  }

  /**
   * A client with a valid token that sends trailer fields without end gets a 400 naming the limit
   * once the trailer section passes {@code limits.header-block}, however much more it sends.
   */
  @Test
  void endlessTrailers_rejectedAtLimit() throws Exception {
    try (RawHttp http = connect()) {
      http.send(chunkedHead(PUSH) + "4\r\n0000\r\n0\r\n");
      Thread writer =
          new Thread(
              () -> {
                byte[] field = ("X-Pad: " + "a".repeat(1000) + "\r\n").getBytes(US_ASCII);
                try {
                  for (int i = 0; i < 64 * 1024; i++) {
                    http.output().write(field);
                  }
                } catch (IOException e) {
                  // The server closed the connection, as it should.
                }
              });
      writer.setDaemon(true);
      writer.start();
      RawHttp.Response response = http.readResponse();
      assertEquals(400, response.status());
      assertTrue(response.body().contains("limits.header-block"), response.body());
      assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
      writer.join(20_000);
      assertFalse(writer.isAlive(), "the writer was not stopped by a closed connection");
    }
    assertEquals(List.of(), fixture.upstream().requests());
  }

  /**
   * A fetch body streams upstream while it is read, so its trailers are seen only after the
   * upstream request started. That request is cut before its end and the client gets the 400.
   */
  @Test
  void fetchWithOversizedTrailers_rejected() throws IOException {
    try (RawHttp http = connect()) {
      http.send(
          chunkedHead(FETCH)
              + "4\r\n0000\r\n0\r\n"
              + ("X-Pad: " + "a".repeat(1000) + "\r\n").repeat(40)
              + "\r\n");
      RawHttp.Response response = http.readResponse();
      assertEquals(400, response.status(), response.body());
      assertTrue(response.body().contains("limits.header-block"), response.body());
      assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
      assertTrue(http.closedByServer(), "connection closed");
    }
  }

  /** A chunked body with a small trailer section is valid HTTP, so it is decoded and served. */
  @Test
  void smallTrailerSection_accepted() throws IOException {
    try (RawHttp http = connect()) {
      http.send(chunkedHead(PUSH) + "" + "4;name=value\r\n0000\r\n0\r\nX-Checksum: abc\r\n\r\n");
      RawHttp.Response response = http.readResponse();
      assertEquals(200, response.status(), response.body());
      assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unauthenticatedCases")
  void malformedRequest_rejectedAndClosed(Case request) throws IOException {
    assertRejectedAndClosed(request.request(), request.statuses());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodyCases")
  void malformedBody_rejectedAndClosed(Case request) throws IOException {
    assertRejectedAndClosed(
        request.request().replace("TOKEN", fixture.tokenT()), request.statuses());
  }

  /**
   * Bare line feeds are accepted by Undertow 2.3's request parser, which has no strict mode, so
   * such a request is parsed as its CRLF twin and then authenticated like any other request.
   */
  @Test
  void bareLineFeeds_parsedLikeCrlf() throws IOException {
    try (RawHttp http = connect()) {
      http.send("POST " + FETCH + " HTTP/1.1\nHost: " + host + "\nContent-Length: 4\n\n0000");
      RawHttp.Response response = http.readResponse();
      assertEquals(401, response.status());
      assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
      assertTrue(http.closedByServer(), "connection closed");
    }
    assertEquals(List.of(), fixture.upstream().requests());
  }

  /**
   * Undertow 2.3 joins an obsolete folded line to the field above it, as RFC 9112 section 5.2
   * allows, so the request has no Transfer-Encoding and its would-be body is read as the next
   * request, which is rejected with 400.
   */
  @Test
  void foldedTransferEncoding_joinedToFieldAbove() throws IOException {
    try (RawHttp http = connect()) {
      http.send(
          "POST "
              + FETCH
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\nX-Pad: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
      RawHttp.Response response = http.readResponse();
      assertEquals(401, response.status(), response.body());
      assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
      RawHttp.Response next = http.readResponse();
      assertEquals(400, next.status(), next.body());
      assertTrue(http.closedByServer(), "connection closed");
    }
    assertEquals(List.of(), fixture.upstream().requests());
  }

  /** Returns the head of a chunked POST to {@code path} with task token T. */
  private static String chunkedHead(String path) {
    String service = path.equals(PUSH) ? "receive-pack" : "upload-pack";
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: "
        + host
        + "\r\nAuthorization: Bearer "
        + fixture.tokenT()
        + "\r\nContent-Type: application/x-git-"
        + service
        + "-request\r\nTransfer-Encoding: chunked\r\n\r\n";
  }

  private static RawHttp connect() throws IOException {
    return RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(5));
  }

  private static void assertRejectedAndClosed(String request, Set<Integer> statuses)
      throws IOException {
    try (RawHttp http = connect()) {
      http.send(request.replace("HOST", host));
      Optional<RawHttp.Response> answer = http.readResponseOrClose();
      if (answer.isEmpty()) {
        assertTrue(statuses.contains(CLOSED), "closed without a response");
      } else {
        RawHttp.Response response = answer.get();
        assertTrue(
            statuses.contains(response.status()),
            "status " + response.status() + " " + response.body());
        assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
        assertTrue(http.closedByServer(), "connection closed");
      }
    }
    assertEquals(List.of(), fixture.upstream().requests());
  }
}
