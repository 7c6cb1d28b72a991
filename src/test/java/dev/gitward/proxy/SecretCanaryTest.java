package dev.gitward.proxy;

import static dev.gitward.testing.GitwardFixture.ALLOWED;
import static dev.gitward.testing.GitwardFixture.fetch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs fetches, pushes and rejections with recognisable secrets and searches every log line, git
 * output and HTTP response for them.
 */
class SecretCanaryTest {
  private static final String UPSTREAM_TOKEN = "ghs_upstreamCanary8c1f3e";
  private static final String BOGUS_TOKEN = "eyJtaskCanaryBogus.eyJ9.c2ln";

  @Test
  void secrets_neverInLogsOrResponses() throws Exception {
    List<String> seen = new ArrayList<>();
    List<String> secrets = new ArrayList<>(List.of(UPSTREAM_TOKEN, BOGUS_TOKEN));
    try (LogCapture logs = LogCapture.start();
        GitwardFixture fixture = GitwardFixture.builder().upstreamToken(UPSTREAM_TOKEN).start()) {
      String token = fixture.tokenT();
      String reader = fixture.tokenR();
      secrets.add(token);
      secrets.add(reader);
      secrets.add(
          Base64.getEncoder()
              .encodeToString(
                  ("x-access-token:" + UPSTREAM_TOKEN).getBytes(StandardCharsets.UTF_8)));

      GitClient git = fixture.git(fixture.newFolder("work"), token);
      seen.add(
          output(git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess()));
      Path clone = git.workDir().resolve("clone");
      Files.writeString(clone.resolve("canary.txt"), "canary\n");
      git.at(clone).run("add", "canary.txt").assertSuccess();
      git.at(clone)
          .run("-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-m", "Canary")
          .assertSuccess();
      seen.add(
          output(
              git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/canary").assertSuccess()));
      seen.add(output(git.at(clone).run("push", "origin", "HEAD:refs/heads/main").assertFailure()));
      seen.add(
          output(
              fixture
                  .git(clone, reader)
                  .run("push", "origin", "HEAD:refs/heads/agent/r")
                  .assertFailure()));
      seen.add(
          output(
              GitClient.in(fixture.newFolder("bogus"))
                  .withCredential("agent", BOGUS_TOKEN)
                  .run("ls-remote", fixture.remote("owner/allowed.git"))
                  .assertFailure()));
      seen.addAll(rawResponses(fixture, token));
      fixture.close();
      seen.addAll(logs.lines());
    }
    for (String text : seen) {
      for (String secret : secrets) {
        assertFalse(text.contains(secret), "secret found in: " + text);
      }
    }
    assertTrue(seen.size() > 20, "too little was captured to prove anything: " + seen.size());
  }

  @Test
  void logCapture_seesProxyDecisions() throws Exception {
    try (LogCapture logs = LogCapture.start();
        GitwardFixture fixture = GitwardFixture.start()) {
      String token = fixture.mint("task-logged", List.of(fetch(ALLOWED)));
      GitResult result =
          fixture
              .git(fixture.newFolder("work"), token)
              .run("ls-remote", fixture.remote("owner/allowed.git"))
              .assertSuccess();
      assertFalse(result.stdout().isEmpty());
      assertTrue(
          logs.lines().stream().anyMatch(line -> line.contains("task=task-logged")),
          "the capture must see the proxy's log lines, or the canary check proves nothing");
      assertFalse(logs.lines().stream().anyMatch(line -> line.contains(token)));
    }
  }

  /** Returns what git printed; the arguments hold the token on purpose and are left out. */
  private static String output(GitResult result) {
    return result.stdout() + result.stderr();
  }

  private static List<String> rawResponses(GitwardFixture fixture, String token) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String refs = fixture.remote("owner/allowed.git") + "/info/refs?service=git-upload-pack";
    List<String> responses = new ArrayList<>();
    for (String authorization :
        List.of(
            "Bearer " + BOGUS_TOKEN,
            "Digest " + BOGUS_TOKEN,
            "Basic " + Base64.getEncoder().encodeToString(("u:" + BOGUS_TOKEN).getBytes()),
            "Bearer " + token + "x")) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(refs))
                  .header("Authorization", authorization)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(401, response.statusCode(), response.body());
      responses.add(response.headers().map() + response.body());
    }
    HttpResponse<String> secret =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        fixture.remote("owner/secret.git") + "/info/refs?service=git-upload-pack"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, secret.statusCode());
    responses.add(secret.headers().map() + secret.body());
    HttpResponse<String> allowed =
        client.send(
            HttpRequest.newBuilder(URI.create(refs))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, allowed.statusCode());
    responses.add(allowed.headers().map() + allowed.body());
    return responses;
  }
}
