package dev.gitward.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chunked request bodies over a raw socket, split and combined in the ways TCP allows: the body is
 * served, the connection stays open, and the next request on it is read from the first byte after
 * the body. Chunk sizes that Undertow's decoder cannot store are rejected before they reach it.
 */
class ChunkedKeepAliveTest {
  private static final String PUSH = "/local/owner/allowed.git/git-receive-pack";
  private static final String INFO_REFS =
      "/local/owner/allowed.git/info/refs?service=git-upload-pack";

  /** A valid receive-pack request body with no commands: one flush packet. */
  private static final String EMPTY_PUSH_BODY = "4\r\n0000\r\n0\r\n\r\n";

  private static GitwardFixture fixture;
  private static String host;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.builder().proxyYaml("  client-read-idle-timeout: 5s\n").start();
    host = "127.0.0.1:" + fixture.server().proxyAddress().getPort();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void oneBytePerWrite_servedAndKeptAlive() throws Exception {
    try (RawHttp http = connect()) {
      http.send(chunkedPushHead());
      for (byte b : EMPTY_PUSH_BODY.getBytes(ISO_8859_1)) {
        http.send(new byte[] {b});
        Thread.sleep(20);
      }
      assertServed(http.readResponse());
      http.send(infoRefs());
      assertServed(http.readResponse());
    }
  }

  @Test
  void sizeLineAndCrlfSplit_served() throws Exception {
    try (RawHttp http = connect()) {
      http.send(chunkedPushHead() + "0");
      Thread.sleep(100);
      http.send("00");
      Thread.sleep(100);
      http.send("4\r");
      Thread.sleep(100);
      http.send("\n00");
      Thread.sleep(100);
      http.send("00\r");
      Thread.sleep(100);
      http.send("\n0\r\n\r");
      Thread.sleep(100);
      http.send("\n");
      assertServed(http.readResponse());
      http.send(infoRefs());
      assertServed(http.readResponse());
    }
  }

  @Test
  void twoChunkedRequests_backToBack() throws IOException {
    try (RawHttp http = connect()) {
      for (int i = 0; i < 3; i++) {
        http.send(chunkedPushHead() + EMPTY_PUSH_BODY);
        assertServed(http.readResponse());
      }
    }
  }

  @Test
  void pipelinedAfterChunked_bothServed() throws IOException {
    try (RawHttp http = connect()) {
      http.send(chunkedPushHead() + EMPTY_PUSH_BODY + infoRefs() + chunkedPushHead() + "4\r\n");
      assertServed(http.readResponse());
      assertServed(http.readResponse());
      http.send("0000\r\n0\r\n\r\n");
      assertServed(http.readResponse());
    }
  }

  @Test
  void bodyEndingInLaterWrite_nextRequestServed() throws Exception {
    try (RawHttp http = connect()) {
      http.send(chunkedPushHead() + "4\r\n00");
      Thread.sleep(200);
      http.send("00\r\n0\r\n\r\n" + infoRefs());
      assertServed(http.readResponse());
      assertServed(http.readResponse());
    }
  }

  /**
   * The response must not wait for the rest of a request that started in the same write, because a
   * client may send that rest only after the response, as with {@code Expect: 100-continue}.
   */
  @Test
  void responseBeforePartialNextRequest_sent() throws IOException {
    try (RawHttp http = connect()) {
      http.send(infoRefs() + chunkedPushHead() + "4\r\n");
      assertServed(http.readResponse());
      http.send("0000\r\n0\r\n\r\n");
      assertServed(http.readResponse());
    }
  }

  @Test
  void infoRefsRepeated_keptAlive() throws IOException {
    try (RawHttp http = connect()) {
      for (int i = 0; i < 5; i++) {
        http.send(infoRefs());
        RawHttp.Response response = http.readResponse();
        assertServed(response);
        assertTrue(response.body().contains("service=git-upload-pack"), response.body());
      }
    }
  }

  /**
   * Undertow 2.3's ChunkReader keeps the chunk size and its state flags in one long, with the size
   * in bits 0 to 56. A size of 2^58 sets the flag that marks the last chunk as read, so Undertow
   * parses the bytes of its next read as the trailer section while ChunkFraming counts them as
   * chunk data and checks nothing. Here those bytes are more trailer fields than the limit.
   */
  @Test
  void chunkSizeOverDecoderRange_trailersStillLimited() throws Exception {
    try (RawHttp http = connect()) {
      http.send(chunkedPushHead() + "400000000000000\r\n0000");
      Thread.sleep(300);
      http.send("X-Pad: a\r\n".repeat(200) + "\r\n");
      Optional<RawHttp.Response> answer = http.readResponseOrClose();
      answer.ifPresent(response -> assertEquals(400, response.status(), response.body()));
      assertTrue(http.closedByServer(), "connection closed");
    }
  }

  /**
   * The same chunk size followed, in a later read, by CRLF and a second request: Undertow ends the
   * body at the CRLF and serves the second request, which ChunkFraming and any proxy in front of
   * Gitward count as chunk data.
   */
  @Test
  void chunkSizeOverDecoderRange_noHiddenRequest() throws Exception {
    try (RawHttp http = connect()) {
      http.send(chunkedPushHead() + "400000000000000\r\n0000");
      Thread.sleep(300);
      http.send("\r\n" + infoRefs());
      Optional<RawHttp.Response> first = http.readResponseOrClose();
      first.ifPresent(response -> assertEquals(400, response.status(), response.body()));
      Optional<RawHttp.Response> second = http.readResponseOrClose();
      assertFalse(second.isPresent(), "a response to the request inside the chunk data");
    }
  }

  private static void assertServed(RawHttp.Response response) {
    assertEquals(200, response.status(), response.body());
    assertTrue(response.hasOneFraming(), "one framing: " + response.headers());
    assertFalse(
        response.values("Connection").contains("close"), "Connection: " + response.headers());
  }

  private static String chunkedPushHead() {
    return "POST "
        + PUSH
        + " HTTP/1.1\r\nHost: "
        + host
        + "\r\nAuthorization: Bearer "
        + fixture.tokenT()
        + "\r\nContent-Type: application/x-git-receive-pack-request"
        + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  }

  private static String infoRefs() {
    return "GET "
        + INFO_REFS
        + " HTTP/1.1\r\nHost: "
        + host
        + "\r\nAuthorization: Bearer "
        + fixture.tokenT()
        + "\r\n\r\n";
  }

  private static RawHttp connect() throws IOException {
    return RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(10));
  }
}
