package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.LogCapture;
import dev.gitward.testing.RawHttp;
import dev.gitward.testing.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which path serves a request: allowed fetches run on the connection's I/O thread, everything else
 * on a worker, and a body read on the I/O thread reaches the worker whole. The access line is
 * logged on the thread that served the request, so its thread name shows the path. A worker logs it
 * after the response ends, so each test that reads access lines uses a token of its own task and
 * reads only that task's lines.
 */
class FetchRelayTest {
  private static final String UPLOAD_PACK = "/local/owner/allowed.git/git-upload-pack";
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** Mints a token with the grants of T for {@code task}, whose access lines name it. */
  private static String token(String task) {
    return fixture.mint(
        task,
        List.of(
            GitwardFixture.fetch(GitwardFixture.ALLOWED),
            GitwardFixture.refs(
                GitwardFixture.ALLOWED, "refs/heads/agent/**", Action.CREATE, Action.UPDATE)));
  }

  private static boolean isIoThread(String name) {
    return name.contains("I/O");
  }

  /**
   * Returns the threads that logged the access line of {@code request}, waiting up to 5 s for one,
   * because the worker path logs it after the response ends.
   */
  private static List<String> accessThreads(LogCapture logs, String request) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (logs.threadsLogging(request).isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return logs.threadsLogging(request).stream().distinct().toList();
  }

  @Test
  void cloneV2_relayedOnIoThread() {
    GitClient git = fixture.git(fixture.newFolder("work"), token("relay-v2"));
    try (LogCapture logs = LogCapture.start()) {
      git.run("-c", "protocol.version=2", "clone", fixture.remote("owner/allowed.git"), "clone")
          .assertSuccess();

      List<String> threads =
          accessThreads(logs, "POST local/owner/allowed git-upload-pack task=relay-v2 ");
      List<String> advertisement =
          accessThreads(logs, "GET local/owner/allowed git-upload-pack-refs task=relay-v2 ");
      assertFalse(threads.isEmpty(), "no access line for the upload-pack requests");
      assertTrue(threads.stream().allMatch(FetchRelayTest::isIoThread), "threads: " + threads);
      assertTrue(
          advertisement.stream().allMatch(FetchRelayTest::isIoThread), "threads: " + advertisement);
    }
    GitResult head = git.at(git.workDir().resolve("clone")).run("rev-parse", "HEAD");
    assertEquals(
        fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/main"),
        head.assertSuccess().stdout().strip());
  }

  @Test
  void cloneV0_relayedOnIoThread() {
    GitClient git = fixture.git(fixture.newFolder("work"), token("relay-v0"));
    try (LogCapture logs = LogCapture.start()) {
      git.run("-c", "protocol.version=0", "clone", fixture.remote("owner/allowed.git"), "clone")
          .assertSuccess();

      List<String> threads =
          accessThreads(logs, "POST local/owner/allowed git-upload-pack task=relay-v0 ");
      assertFalse(threads.isEmpty(), "no access line for the upload-pack request");
      assertTrue(threads.stream().allMatch(FetchRelayTest::isIoThread), "threads: " + threads);
    }
  }

  @Test
  void push_servedByWorker() {
    GitClient git = fixture.git(fixture.newFolder("work"), token("relay-push"));
    git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess();
    GitClient clone = git.at(git.workDir().resolve("clone"));
    clone.run("commit", "--allow-empty", "-m", "relay test").assertSuccess();
    try (LogCapture logs = LogCapture.start()) {
      clone.run("push", "origin", "HEAD:refs/heads/agent/relay").assertSuccess();

      List<String> threads =
          accessThreads(logs, "POST local/owner/allowed git-receive-pack task=relay-push ");
      List<String> advertisement =
          accessThreads(logs, "GET local/owner/allowed git-receive-pack-refs task=relay-push ");
      assertEquals(1, threads.size(), "threads: " + threads);
      assertEquals(1, advertisement.size(), "threads: " + advertisement);
      assertFalse(isIoThread(threads.get(0)), "threads: " + threads);
      assertFalse(isIoThread(advertisement.get(0)), "threads: " + advertisement);
    }
  }

  @Test
  void deniedFetch_rejectedByWorker() {
    GitClient git = fixture.git(fixture.newFolder("work"), fixture.tokenT());
    try (LogCapture logs = LogCapture.start()) {
      GitResult clone =
          git.run("clone", fixture.remote("owner/secret.git"), "clone").assertFailure();

      List<String> threads = accessThreads(logs, "local/owner/secret git-upload-pack-refs");
      assertTrue(clone.stderr().contains("[repository-not-granted]"), clone.stderr());
      assertFalse(threads.isEmpty(), "no access line for the denied request");
      assertTrue(threads.stream().noneMatch(FetchRelayTest::isIoThread), "threads: " + threads);
    }
  }

  @Test
  void commandNotForwarded_rejectedByWorker() throws IOException {
    byte[] body = pktLines("command=bundle-uri\n");
    RawHttp.Response response = post(body, "Git-Protocol: version=2\r\n");

    assertEquals(403, response.status(), response.body());
    assertEquals(
        "gitward: protocol v2 command bundle-uri is not forwarded (expected: ls-refs or fetch)\n",
        response.body());
  }

  @Test
  void invalidGzipBody_rejectedByWorker() throws IOException {
    byte[] body = "not gzip at all".getBytes(StandardCharsets.US_ASCII);
    RawHttp.Response response = post(body, "Content-Encoding: gzip\r\n");

    assertEquals(400, response.status(), response.body());
    assertTrue(response.body().contains("cannot be inflated"), response.body());
  }

  @Test
  void gzipLsRefs_inflatedForUpstream() throws IOException {
    byte[] inflated = pktLines("command=ls-refs\n", null, "ref-prefix refs/heads/\n");
    fixture.upstream().clearRequests();
    RawHttp.Response response =
        post(gzip(inflated), "Content-Encoding: gzip\r\nGit-Protocol: version=2\r\n");

    assertEquals(200, response.status(), response.body());
    assertTrue(response.body().contains("refs/heads/main"), response.body());
    UpstreamRequest forwarded = fixture.upstream().requests().get(0);
    assertEquals(Optional.empty(), forwarded.header("Content-Encoding"));
    assertEquals(Optional.of(String.valueOf(inflated.length)), forwarded.header("Content-Length"));
    assertEquals(inflated.length, forwarded.bodyBytes());
    assertEquals(Optional.of("version=2"), forwarded.header("Git-Protocol"));
    assertEquals(Optional.empty(), forwarded.header("Cookie"));
    assertFalse(
        forwarded.header("Authorization").orElse("").contains(fixture.tokenT()),
        "the task token reached the upstream");
  }

  @Test
  void bodyOverRelayLimit_servedByWorker() throws IOException {
    String main = fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/main");
    String[] lines = new String[FetchRelay.MAX_BODY_BYTES / 40 + 2];
    for (int i = 0; i < lines.length - 2; i++) {
      lines[i] = "want " + main + "\n";
    }
    lines[lines.length - 2] = null;
    lines[lines.length - 1] = "done\n";
    byte[] body = pktLines(lines);
    assertTrue(body.length > FetchRelay.MAX_BODY_BYTES, "body of " + body.length + " bytes");
    try (LogCapture logs = LogCapture.start()) {
      RawHttp.Response response = post(token("relay-large"), body, "");

      List<String> threads =
          accessThreads(logs, "POST local/owner/allowed git-upload-pack task=relay-large ");
      assertEquals(200, response.status(), response.body());
      assertTrue(response.body().contains("PACK"), "response of " + response.body().length());
      assertFalse(threads.isEmpty(), "no access line for the upload-pack request");
      assertTrue(threads.stream().noneMatch(FetchRelayTest::isIoThread), "threads: " + threads);
    }
  }

  private static RawHttp.Response post(byte[] body, String headers) throws IOException {
    return post(fixture.tokenT(), body, headers);
  }

  private static RawHttp.Response post(String token, byte[] body, String headers)
      throws IOException {
    try (RawHttp http =
        RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(30))) {
      http.send(
          "POST "
              + UPLOAD_PACK
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + token
              + "\r\nContent-Type: application/x-git-upload-pack-request\r\n"
              + headers
              + "Content-Length: "
              + body.length
              + "\r\n\r\n");
      http.send(body);
      return http.readResponse();
    }
  }

  /** Encodes each line as a pkt-line, null as a delimiter packet, and ends with a flush packet. */
  private static byte[] pktLines(String... lines) {
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line == null ? "0001" : String.format("%04x", line.length() + 4) + line);
    }
    return out.append("0000").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }
}
