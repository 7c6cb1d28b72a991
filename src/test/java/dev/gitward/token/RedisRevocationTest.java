package dev.gitward.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gitward.testing.AdminClient;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** Two Gitward replicas sharing revocations through a real redis-server. */
class RedisRevocationTest {
  private static final String SECRET = "admin-secret-0123456789abcdef";
  private static final String FETCH_ALLOWED =
      "[{\"repo\": \"local/owner/allowed\", \"actions\": [\"fetch\"]}]";

  private static GitwardFixture replica(RedisServer redis, List<Path> keys, String extraYaml) {
    GitwardFixture.Builder builder =
        GitwardFixture.builder()
            .adminSecret(SECRET)
            .yaml("revocations:\n  redis: " + redis.url() + "\n" + extraYaml);
    return (keys.isEmpty() ? builder : builder.keyFiles(keys)).start();
  }

  private static List<Path> keysOf(GitwardFixture fixture) {
    return List.of(fixture.directory().resolve("signing.jwk"));
  }

  private static AdminClient admin(GitwardFixture fixture) {
    return new AdminClient(fixture.adminUrl(), SECRET);
  }

  private static HttpResponse<String> infoRefs(GitwardFixture fixture, String token) {
    return AdminClient.send(
        HttpRequest.newBuilder(
                URI.create(
                    fixture.proxyUrl()
                        + "/local/owner/allowed.git/info/refs?service=git-upload-pack"))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build());
  }

  /** Polls until the status matches, and returns the milliseconds it took, or fails at limit. */
  private static long awaitStatus(
      GitwardFixture fixture, String token, IntPredicate status, Duration limit) {
    long start = System.nanoTime();
    HttpResponse<String> last = infoRefs(fixture, token);
    while (!status.test(last.statusCode())) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (millis > limit.toMillis()) {
        throw new AssertionError(
            "after " + millis + " ms: " + last.statusCode() + " " + last.body());
      }
      sleep(20);
      last = infoRefs(fixture, token);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void revokeOnOneReplica_otherRejectsWithinOneSecond() {
    try (RedisServer redis = RedisServer.start();
        GitwardFixture first = replica(redis, List.of(), "");
        GitwardFixture second = replica(redis, keysOf(first), "")) {
      JsonNode minted = admin(first).mint("task-shared", FETCH_ALLOWED);
      String token = minted.path("token").asText();
      assertEquals(200, infoRefs(second, token).statusCode());

      HttpResponse<String> revoked =
          admin(first)
              .post(
                  "/v1/revocations",
                  "{\"token_id\": \"" + minted.path("token_id").asText() + "\"}");
      assertEquals(200, revoked.statusCode(), revoked.body());
      long millis = awaitStatus(second, token, status -> status == 401, Duration.ofSeconds(1));

      assertTrue(millis <= 1000, "second replica rejected after " + millis + " ms");
      GitClient git = GitClient.in(second.newFolder("git")).withCredential("agent", token);
      GitResult denied = git.run("ls-remote", second.remote("owner/allowed.git")).assertFailure();
      assertTrue(denied.stderr().contains("is revoked"), denied.stderr());
      try (GitwardFixture late = replica(redis, keysOf(first), "")) {
        assertEquals(401, infoRefs(late, token).statusCode(), "a replica started later");
      }
    }
  }

  @Test
  void redisDown_rejectModeAnswers503() {
    RedisServer redis = RedisServer.start();
    try (GitwardFixture fixture = replica(redis, List.of(), "")) {
      String token = admin(fixture).mint("task-outage", FETCH_ALLOWED).path("token").asText();
      assertEquals(200, infoRefs(fixture, token).statusCode());
      assertTrue(fixture.server().revocations().isReady());

      redis.close();
      awaitStatus(fixture, token, status -> status == 503, Duration.ofSeconds(3));

      HttpResponse<String> response = infoRefs(fixture, token);
      assertEquals(503, response.statusCode());
      assertTrue(response.body().contains("revocations cannot be checked"), response.body());
      assertTrue(response.body().contains("retry later"), response.body());
      assertFalse(response.headers().firstValue("WWW-Authenticate").isPresent());
      assertFalse(fixture.server().revocations().isReady());
      HttpResponse<String> revoke =
          admin(fixture).post("/v1/revocations", "{\"task\": \"task-outage\"}");
      assertEquals(503, revoke.statusCode(), revoke.body());
    } finally {
      redis.close();
    }
  }

  @Test
  void redisDown_serveKnownServesThenRejects() {
    RedisServer redis = RedisServer.start();
    String mode = "  on-unavailable: serve-known\n  serve-known-for: 2s\n";
    try (GitwardFixture fixture = replica(redis, List.of(), mode)) {
      AdminClient admin = admin(fixture);
      String kept = admin.mint("task-kept", FETCH_ALLOWED).path("token").asText();
      String revoked = admin.mint("task-revoked", FETCH_ALLOWED).path("token").asText();
      assertEquals(200, admin.post("/v1/revocations", "{\"task\": \"task-revoked\"}").statusCode());

      long stopped = System.nanoTime();
      redis.close();
      sleep(1000);
      // Redis is now known to be unreachable, and the outage is shorter than serve-known-for.
      assertEquals(200, infoRefs(fixture, kept).statusCode());
      assertEquals(401, infoRefs(fixture, revoked).statusCode());
      assertFalse(fixture.server().revocations().isReady());

      awaitStatus(fixture, kept, status -> status == 503, Duration.ofSeconds(5));
      long millis = (System.nanoTime() - stopped) / 1_000_000;
      assertTrue(millis >= 2000, "rejected " + millis + " ms after Redis stopped");
    } finally {
      redis.close();
    }
  }
}
