package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.LogCapture;
import dev.gitward.testing.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request bodies that end early on the event-loop path: the request is rejected or recorded there,
 * the upstream is never contacted, and the in-flight gauge returns to zero.
 */
class RelayBodyTest {
  private static final String HEAD =
      "POST /local/owner/allowed.git/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 100\r\n";
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.builder().proxyYaml("  client-read-idle-timeout: 2s\n").start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @BeforeEach
  void clearUpstream() {
    fixture.upstream().clearRequests();
  }

  private static RawHttp sendShortBody() throws IOException {
    return sendShortBody(fixture.tokenT());
  }

  private static RawHttp sendShortBody(String token) throws IOException {
    RawHttp http =
        RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(10));
    http.send(HEAD + "Authorization: Bearer " + token + "\r\n\r\n0032want");
    return http;
  }

  /** Returns the value of the in-flight gauge once it is zero, or after 5 s. */
  private static String inFlightSettled() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String value = inFlight();
    while (!value.equals("0.0") && System.nanoTime() < deadline) {
      Thread.sleep(20);
      value = inFlight();
    }
    return value;
  }

  private static String inFlight() {
    return fixture
        .server()
        .meters()
        .scrape()
        .lines()
        .filter(line -> line.startsWith("gitward_requests_in_flight "))
        .map(line -> line.substring(line.indexOf(' ') + 1))
        .findFirst()
        .orElse("missing");
  }

  @Test
  void halfClosedShortBody_rejectedWithoutUpstream() throws Exception {
    RawHttp.Response response;
    try (RawHttp http = sendShortBody()) {
      response = http.shutdownOutput().readResponse();
    }

    assertEquals(400, response.status(), response.body());
    assertEquals(
        "gitward: request body ended after 8 of 100 bytes (expected: as many bytes as its"
            + " Content-Length states)\n",
        response.body());
    assertEquals(List.of(), fixture.upstream().requests());
    assertEquals("0.0", inFlightSettled());
  }

  @Test
  void stalledBody_recordedOnceAfterTimeout() throws Exception {
    String token =
        fixture.mint("stalled-body", List.of(GitwardFixture.fetch(GitwardFixture.ALLOWED)));
    try (LogCapture logs = LogCapture.start();
        RawHttp http = sendShortBody(token)) {
      assertTrue(http.readResponseOrClose().isEmpty(), "a response to a stalled body");

      assertEquals("0.0", inFlightSettled());
      List<String> access =
          logs.lines().stream()
              .filter(
                  line ->
                      line.contains("POST local/owner/allowed git-upload-pack task=stalled-body "))
              .toList();
      assertEquals(1, access.size(), "access lines: " + access);
      assertTrue(access.get(0).contains("status=400"), access.get(0));
      assertTrue(access.get(0).contains("bytes_in=8"), access.get(0));
      assertEquals(List.of(), fixture.upstream().requests());
      assertTrue(
          logs.lines().stream().noneMatch(line -> line.startsWith("ERROR")),
          "errors: " + logs.lines(ch.qos.logback.classic.Level.ERROR));
    }
  }
}
