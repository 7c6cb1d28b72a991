package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each limit on untrusted input, exceeded: a clear rejection that names the limit's config key. */
class LimitsTest {
  private static final String PUSH = "/local/owner/allowed.git/git-receive-pack";
  private static final String FETCH = "/local/owner/allowed.git/git-upload-pack";
  private static final String ZERO_ID = "0".repeat(40);
  private static final String NEW_ID = "1".repeat(40);
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture =
        GitwardFixture.builder()
            .yaml(
                "limits:\n  push-body: 1MiB\n  command-section: 8KiB\n  commands: 10\n"
                    + "  ref-name: 64\n  pkt-line: 2000\n  upload-pack-request: 1MiB\n")
            .start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static RawHttp.Response post(String path, String token, byte[] body) throws IOException {
    try (RawHttp http =
        RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(20))) {
      http.send(
          "POST "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + token
              + "\r\nContent-Type: application/x-git-receive-pack-request\r\nContent-Length: "
              + body.length
              + "\r\n\r\n");
      http.send(body);
      return http.readResponse();
    }
  }

  private static String pkt(String payload) {
    return String.format("%04x", payload.length() + 4) + payload;
  }

  private static byte[] commands(String... lines) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      body.append(pkt(i == 0 ? lines[i] + "\0report-status\n" : lines[i] + "\n"));
    }
    return (body + "0000").getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String create(String ref) {
    return ZERO_ID + " " + NEW_ID + " " + ref;
  }

  private static void assertRejected(RawHttp.Response response, int status, String key) {
    assertEquals(status, response.status(), response.body());
    assertTrue(response.body().contains(key), response.body());
  }

  @Test
  void tokenOverMaxSize_rejected() throws IOException {
    RawHttp.Response response = post(PUSH, "a".repeat(9000), commands(create("refs/heads/a")));
    assertRejected(response, 401, "tokens.max-size");
  }

  @Test
  void commandsOverLimit_rejected() throws IOException {
    String[] lines = new String[11];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = create("refs/heads/agent/c" + i);
    }
    RawHttp.Response response = post(PUSH, fixture.tokenT(), commands(lines));
    assertRejected(response, 400, "limits.commands");
  }

  @Test
  void commandSectionOverLimit_rejected() throws IOException {
    String[] lines = new String[201];
    for (int i = 0; i < 200; i++) {
      lines[i] = "shallow " + String.format("%040x", i);
    }
    lines[200] = create("refs/heads/agent/s");
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      body.append(pkt(lines[i] + "\n"));
    }
    body.append(pkt(lines[200] + "\0report-status\n")).append("0000");
    RawHttp.Response response =
        post(PUSH, fixture.tokenT(), body.toString().getBytes(StandardCharsets.ISO_8859_1));
    assertRejected(response, 400, "limits.command-section");
  }

  @Test
  void refNameOverLimit_rejected() throws IOException {
    String ref = "refs/heads/agent/" + "r".repeat(60);
    RawHttp.Response response = post(PUSH, fixture.tokenT(), commands(create(ref)));
    assertRejected(response, 400, "limits.ref-name");
  }

  @Test
  void pktLineOverLimit_rejected() throws IOException {
    byte[] body = ("0fa0" + "x".repeat(4000 - 4)).getBytes(StandardCharsets.ISO_8859_1);
    RawHttp.Response response = post(PUSH, fixture.tokenT(), body);
    assertRejected(response, 400, "limits.pkt-line");
  }

  @Test
  void declaredPushBodyOverLimit_rejectedUpFront() throws Exception {
    try (RawHttp http =
        RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(20))) {
      http.send(
          "POST "
              + PUSH
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + fixture.tokenT()
              + "\r\nContent-Length: 2000000\r\n\r\n");
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  http.output().write(new byte[2_000_000]);
                } catch (IOException e) {
                  // The proxy closed the connection after its response.
                }
              });
      RawHttp.Response response = http.readResponse();
      writer.get(30, TimeUnit.SECONDS);
      assertRejected(response, 413, "limits.push-body");
      assertTrue(http.closedByServer(), "connection closed");
    }
  }

  /** A chunked push past the limit with real git: rejected every time, upstream refs unchanged. */
  @Test
  void chunkedPushOverLimit_rejectedRefsUnchanged() throws Exception {
    GitClient git = fixture.git(fixture.newFolder("work"), fixture.tokenT());
    git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess();
    Path clone = git.workDir().resolve("clone");
    byte[] blob = new byte[3 << 20];
    new Random(3).nextBytes(blob);
    Files.write(clone.resolve("big.bin"), blob);
    GitClient inClone = git.at(clone);
    inClone.run("add", "big.bin").assertSuccess();
    inClone
        .run("-c", "user.name=Agent", "-c", "user.email=a@example.com", "commit", "-qm", "Big")
        .assertSuccess();
    Map<String, String> before = fixture.repositories().refs(fixture.allowedRepository());
    for (String ref : new String[] {"refs/heads/agent/big", "refs/heads/agent/base"}) {
      GitResult result =
          inClone.withConfig("http.postBuffer", "65536").run("push", "origin", "HEAD:" + ref);
      // git reports a reset or a 413, depending on how much of the body it had sent.
      result.assertFailure();
    }
    assertEquals(before, fixture.repositories().refs(fixture.allowedRepository()));
  }

  /**
   * A gzip body of zeros that would inflate to 10 GiB, generated while it is sent: the proxy stops
   * at the inflated limit, long before the client has sent 10 MiB of compressed bytes.
   */
  @Test
  void gzipBomb_stoppedAtInflatedLimit() throws Exception {
    byte[][] blocks = deflateBlocks();
    long start = System.nanoTime();
    try (RawHttp http =
        RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(20))) {
      http.send(
          "POST "
              + FETCH
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + fixture.tokenT()
              + "\r\nContent-Type: application/x-git-upload-pack-request\r\n"
              + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
      AtomicLong sent = new AtomicLong();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(() -> writeBomb(http.output(), blocks, sent));
      RawHttp.Response response = http.readResponse();
      http.close();
      writer.get(30, TimeUnit.SECONDS);
      assertRejected(response, 413, "limits.upload-pack-request");
      assertTrue(sent.get() < 10L << 20, "compressed bytes sent: " + sent.get());
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(elapsed.toSeconds() < 15, "elapsed: " + elapsed);
  }

  /**
   * Returns two deflate outputs that each inflate to 64 MiB of zeros: the first starts the stream
   * and the second can follow it any number of times, because once the window is all zeros each
   * sync-flushed run of zeros compresses to the same bytes.
   */
  private static byte[][] deflateBlocks() {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[64 << 20];
    byte[] first = compress(deflater, zeros);
    byte[] second = compress(deflater, zeros);
    byte[] third = compress(deflater, zeros);
    assertEquals(java.util.Arrays.toString(second), java.util.Arrays.toString(third));
    deflater.end();
    return new byte[][] {first, second};
  }

  private static byte[] compress(Deflater deflater, byte[] input) {
    deflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** Writes a gzip header and then the block until 10 GiB inflated, or until the proxy closes. */
  private static void writeBomb(OutputStream out, byte[][] blocks, AtomicLong sent) {
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    try {
      writeChunk(out, header);
      writeChunk(out, blocks[0]);
      for (int i = 1; i < 160 && sent.get() < 10L << 20; i++) {
        writeChunk(out, blocks[1]);
        sent.addAndGet(blocks[1].length);
      }
    } catch (IOException e) {
      // The proxy closed the connection, which is the expected end.
    }
  }

  private static void writeChunk(OutputStream out, byte[] bytes) throws IOException {
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }
}
