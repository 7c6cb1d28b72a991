package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How forwarded responses are framed for the client, against a real git http-backend: a short ref
 * list goes out with its length, a long one and every fetch response stream chunked, and each
 * arrives whole.
 */
class ResponseFramingTest {
  private static final String MANY_REFS = "owner/many-refs";
  private static final int TAGS = 1000;

  private static GitwardFixture fixture;
  private static String token;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.start();
    Path manyRefs = fixture.repositories().createBare(MANY_REFS + ".git");
    fixture
        .repositories()
        .commitFiles(manyRefs, "main", Map.of("README.md", "# many refs\n"), "Add README");
    fixture.repositories().createTags(manyRefs, TAGS);
    token =
        fixture.mint(
            "task-framing",
            List.of(
                GitwardFixture.fetch("local/owner/allowed"),
                GitwardFixture.fetch("local/" + MANY_REFS),
                GitwardFixture.refs("local/owner/allowed", "refs/heads/agent/**", Action.CREATE)));
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static RawHttp.Response send(String head, byte[] body) throws IOException {
    try (RawHttp http =
        RawHttp.connect(fixture.server().proxyAddress().getPort(), Duration.ofSeconds(20))) {
      http.send(head + "Authorization: Bearer " + token + "\r\n\r\n");
      http.send(body);
      return http.readResponse();
    }
  }

  private static RawHttp.Response advertisement(String repository, String service, int version)
      throws IOException {
    return send(
        "GET /local/"
            + repository
            + ".git/info/refs?service="
            + service
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + (version == 2 ? "Git-Protocol: version=2\r\n" : ""),
        new byte[0]);
  }

  private static RawHttp.Response uploadPack(String repository, String body, boolean v2)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    return send(
        "POST /local/"
            + repository
            + ".git/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/x-git-upload-pack-request\r\n"
            + (v2 ? "Git-Protocol: version=2\r\n" : "")
            + "Content-Length: "
            + bytes.length
            + "\r\n",
        bytes);
  }

  private static void assertSentWithLength(RawHttp.Response response) {
    assertEquals(200, response.status(), response.body());
    assertTrue(response.hasOneFraming(), "headers: " + response.headers());
    assertEquals(
        Optional.of(String.valueOf(response.body().getBytes(StandardCharsets.ISO_8859_1).length)),
        response.header("Content-Length"),
        "headers: " + response.headers());
  }

  private static void assertChunked(RawHttp.Response response) {
    assertEquals(200, response.status(), response.body());
    assertTrue(response.hasOneFraming(), "headers: " + response.headers());
    assertEquals(Optional.of("chunked"), response.header("Transfer-Encoding"));
  }

  @Test
  void shortAdvertisements_sentWithTheirLength() throws IOException {
    RawHttp.Response v0 = advertisement("owner/allowed", "git-upload-pack", 0);
    assertSentWithLength(v0);
    assertTrue(v0.body().startsWith("001e# service=git-upload-pack\n"), v0.body());
    RawHttp.Response v2 = advertisement("owner/allowed", "git-upload-pack", 2);
    assertSentWithLength(v2);
    assertTrue(v2.body().contains("version 2\n"), v2.body());
    RawHttp.Response push = advertisement("owner/allowed", "git-receive-pack", 0);
    assertSentWithLength(push);
    assertTrue(push.body().contains("refs/heads/main"), push.body());
  }

  @Test
  void shortLsRefs_sentWithItsLength() throws IOException {
    RawHttp.Response response =
        uploadPack("owner/allowed", "0014command=ls-refs\n0001000csymrefs\n0000", true);
    assertSentWithLength(response);
    assertTrue(response.body().contains("refs/heads/main"), response.body());
    assertTrue(response.body().endsWith("0000"), response.body());
  }

  @Test
  void longAdvertisement_streamsChunkedAndArrivesWhole() throws IOException {
    RawHttp.Response response = advertisement(MANY_REFS, "git-upload-pack", 0);
    assertChunked(response);
    assertTrue(response.body().length() > 64 * 1024, "length: " + response.body().length());
    assertTrue(response.body().contains("refs/tags/tag-" + TAGS + "^{}"), "last tag missing");
    assertTrue(response.body().endsWith("0000"), "flush packet missing");
  }

  @Test
  void longLsRefs_throughGit_listsEveryRef() {
    String listed =
        fixture
            .git(fixture.newFolder("many"), token)
            .run(
                "-c",
                "protocol.version=2",
                "ls-remote",
                "--tags",
                fixture.remote(MANY_REFS + ".git"))
            .assertSuccess()
            .stdout();
    assertEquals(2 * TAGS, listed.lines().count(), "each tag and its peeled line");
  }

  @Test
  void fetchResponse_streamsChunked() throws IOException {
    String main = fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/main");
    RawHttp.Response response =
        uploadPack("owner/allowed", "0032want " + main + "\n00000009done\n", false);
    assertChunked(response);
    assertTrue(response.body().contains("PACK"), "pack missing");
  }
}
