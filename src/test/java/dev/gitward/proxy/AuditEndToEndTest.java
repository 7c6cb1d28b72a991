package dev.gitward.proxy;

import static dev.gitward.testing.GitwardFixture.ALLOWED;
import static dev.gitward.testing.GitwardFixture.fetch;
import static dev.gitward.testing.GitwardFixture.refs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gitward.audit.AuditVerifier;
import dev.gitward.policy.Action;
import dev.gitward.testing.AdminEndpoints;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.PrometheusText;
import dev.gitward.token.MintedToken;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pushes and fetches through real git, then reads the audit file and {@code /metrics} field by
 * field. The upstream requires a canary credential that must never show up in either.
 */
class AuditEndToEndTest {
  private static final String UPSTREAM_TOKEN = "upstream-canary-a7c3e91f04";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static GitwardFixture fixture;
  private static Path auditFile;
  private static final List<String> taskTokens = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path directory = Files.createTempDirectory("gitward-audit-e2e");
    auditFile = directory.resolve("audit.log");
    fixture =
        GitwardFixture.builder()
            .upstreamToken(UPSTREAM_TOKEN)
            .yaml("audit:\n  file: " + auditFile + "\n")
            .start();
    fixture
        .repositories()
        .addPreReceiveHook(
            fixture.allowedRepository(),
            "#!/bin/sh\n"
                + "while read old new ref; do\n"
                + "  if [ \"$ref\" = refs/heads/agent/blocked ]; then\n"
                + "    echo \"agent/blocked is frozen\" >&2\n"
                + "    exit 1\n"
                + "  fi\n"
                + "done\n"
                + "exit 0\n");
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static MintedToken mint(String task, Action... pushActions) {
    MintedToken token =
        fixture
            .server()
            .minter()
            .mint(
                task,
                List.of(fetch(ALLOWED), refs(ALLOWED, "refs/heads/agent/**", pushActions)),
                Duration.ofMinutes(10));
    taskTokens.add(token.token());
    return token;
  }

  private static Path cloneAllowed(GitClient git) {
    git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess();
    return git.workDir().resolve("clone");
  }

  private static void commit(GitClient git, Path clone, String file) throws Exception {
    Files.writeString(clone.resolve(file), file + " " + System.nanoTime() + "\n");
    git.at(clone).run("add", file).assertSuccess();
    git.at(clone)
        .run("-c", "user.name=Agent", "-c", "user.email=a@example.com", "commit", "-qm", file)
        .assertSuccess();
  }

  /** Waits until the writer thread has written an event that matches, and returns it. */
  private static JsonNode awaitEvent(Predicate<JsonNode> match) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode event : events()) {
        if (match.test(event)) {
          return event;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no matching audit event in " + Files.readString(auditFile));
  }

  private static List<JsonNode> events() throws Exception {
    List<JsonNode> events = new ArrayList<>();
    if (Files.exists(auditFile)) {
      for (String line : Files.readAllLines(auditFile)) {
        events.add(JSON.readTree(line));
      }
    }
    return events;
  }

  private static Predicate<JsonNode> pushOf(String ref) {
    return event ->
        event.get("service").asText().equals("git-receive-pack")
            && !event.get("advertisement").asBoolean()
            && event.get("ref_commands").size() > 0
            && event.get("ref_commands").get(0).get("ref").asText().equals(ref);
  }

  private static void assertRequestFields(JsonNode event, MintedToken token) {
    assertTrue(Instant.parse(event.get("time").asText()).isBefore(Instant.now().plusSeconds(1)));
    assertTrue(event.get("request_id").asText().matches("[0-9a-f]{16}"), event.toString());
    assertEquals(token.task(), event.get("task").asText());
    assertEquals(token.tokenId(), event.get("token_id").asText());
    assertEquals("127.0.0.1", event.get("client_address").asText());
    assertEquals("local", event.get("upstream").asText());
    assertEquals("owner/allowed", event.get("repository").asText());
    assertTrue(event.get("seq").asLong() >= 1);
    assertTrue(event.get("prev_hash").asText().matches("[0-9a-f]{64}"));
    assertTrue(event.get("duration_ms").asLong() >= 0);
  }

  @Test
  void pushAndFetch_fieldByField() throws Exception {
    MintedToken token = mint("task-audit", Action.CREATE, Action.UPDATE);
    GitClient git = fixture.git(fixture.newFolder("work"), token.token());
    Path clone = cloneAllowed(git);

    JsonNode fetchEvent =
        awaitEvent(
            event ->
                event.get("task").asText().equals("task-audit")
                    && event.get("service").asText().equals("git-upload-pack")
                    && !event.get("advertisement").asBoolean());
    assertRequestFields(fetchEvent, token);
    assertEquals("allowed", fetchEvent.get("decision").asText());
    assertTrue(fetchEvent.get("reason").isNull());
    assertEquals(200, fetchEvent.get("status").asInt());
    assertEquals(200, fetchEvent.get("upstream_status").asInt());
    assertEquals(2, fetchEvent.get("protocol_version").asInt());
    assertTrue(fetchEvent.get("bytes_in").asLong() > 0, fetchEvent.toString());
    assertTrue(fetchEvent.get("bytes_out").asLong() > 0, fetchEvent.toString());
    assertEquals(0, fetchEvent.get("ref_commands").size());

    commit(git, clone, "created.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/audit").assertSuccess();
    JsonNode create = awaitEvent(pushOf("refs/heads/agent/audit"));
    assertRequestFields(create, token);
    assertEquals("allowed", create.get("decision").asText());
    assertEquals(200, create.get("upstream_status").asInt());
    assertTrue(create.get("bytes_in").asLong() > 0);
    JsonNode command = create.get("ref_commands").get(0);
    assertEquals("0".repeat(40), command.get("old").asText());
    assertEquals(
        fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/agent/audit"),
        command.get("new").asText());
    assertEquals("create", command.get("action").asText());
    assertEquals("allowed", command.get("decision").asText());
    assertTrue(command.get("reason").isNull());
    assertEquals("ok", command.get("upstream_result").asText());
    assertTrue(command.get("upstream_reason").isNull());

    commit(git, clone, "updated.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/audit").assertSuccess();
    JsonNode update =
        awaitEvent(
            pushOf("refs/heads/agent/audit")
                .and(
                    event ->
                        !event.get("ref_commands").get(0).get("old").asText().startsWith("0000")));
    assertEquals("update", update.get("ref_commands").get(0).get("action").asText());
    assertEquals("ok", update.get("ref_commands").get(0).get("upstream_result").asText());

    git.at(clone).run("push", "origin", "HEAD:refs/heads/main").assertFailure();
    JsonNode denied = awaitEvent(pushOf("refs/heads/main"));
    assertRequestFields(denied, token);
    assertEquals("denied", denied.get("decision").asText());
    assertEquals("ref-not-granted", denied.get("reason").asText());
    assertEquals(0, denied.get("upstream_status").asInt());
    JsonNode deniedCommand = denied.get("ref_commands").get(0);
    assertEquals("update", deniedCommand.get("action").asText());
    assertEquals("denied", deniedCommand.get("decision").asText());
    assertEquals("ref-not-granted", deniedCommand.get("reason").asText());
    assertTrue(deniedCommand.get("upstream_result").isNull());
  }

  @Test
  void upstreamHookRejection_recordedWithItsReason() throws Exception {
    MintedToken token = mint("task-hook", Action.CREATE, Action.UPDATE);
    GitClient git = fixture.git(fixture.newFolder("work"), token.token());
    Path clone = cloneAllowed(git);
    commit(git, clone, "blocked.txt");
    String stderr =
        git.at(clone)
            .run("push", "origin", "HEAD:refs/heads/agent/blocked")
            .assertFailure()
            .stderr();
    assertTrue(stderr.contains("pre-receive hook declined"), stderr);
    JsonNode event = awaitEvent(pushOf("refs/heads/agent/blocked"));
    assertRequestFields(event, token);
    assertEquals("rejected", event.get("decision").asText());
    assertEquals("upstream-rejected", event.get("reason").asText());
    assertEquals(200, event.get("upstream_status").asInt());
    JsonNode command = event.get("ref_commands").get(0);
    assertEquals("create", command.get("action").asText());
    assertEquals("allowed", command.get("decision").asText());
    assertEquals("ng", command.get("upstream_result").asText());
    assertEquals("pre-receive hook declined", command.get("upstream_reason").asText());
    assertFalse(
        fixture
            .repositories()
            .refs(fixture.allowedRepository())
            .containsKey("refs/heads/agent/blocked"));
  }

  @Test
  void forwardedPush_onDiskWhenGitReturns() throws Exception {
    MintedToken token = mint("task-durable", Action.CREATE, Action.UPDATE);
    GitClient git = fixture.git(fixture.newFolder("work"), token.token());
    Path clone = cloneAllowed(git);
    for (int i = 0; i < 5; i++) {
      commit(git, clone, "durable-" + i + ".txt");
      String ref = "refs/heads/agent/durable-" + i;
      git.at(clone).run("push", "origin", "HEAD:" + ref).assertSuccess();

      assertTrue(
          events().stream().anyMatch(pushOf(ref)),
          "no audit event of the push of " + ref + " when git returned");
    }
  }

  @Test
  void forceAndDelete_recordedAsSuch() throws Exception {
    MintedToken token =
        mint("task-force", Action.CREATE, Action.UPDATE, Action.FORCE, Action.DELETE);
    GitClient git = fixture.git(fixture.newFolder("work"), token.token());
    Path clone = cloneAllowed(git);
    commit(git, clone, "force.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/force").assertSuccess();

    git.at(clone)
        .run(
            "-c",
            "user.name=Agent",
            "-c",
            "user.email=a@example.com",
            "commit",
            "--amend",
            "-qm",
            "rewritten")
        .assertSuccess();
    git.at(clone).run("push", "--force", "origin", "HEAD:refs/heads/agent/force").assertSuccess();
    JsonNode forced =
        awaitEvent(
            pushOf("refs/heads/agent/force")
                .and(
                    event ->
                        event.get("ref_commands").get(0).get("action").asText().equals("force")));
    assertEquals("allowed", forced.get("decision").asText());
    assertEquals("ok", forced.get("ref_commands").get(0).get("upstream_result").asText());

    git.at(clone).run("push", "origin", ":refs/heads/agent/force").assertSuccess();
    JsonNode deleted =
        awaitEvent(
            pushOf("refs/heads/agent/force")
                .and(
                    event ->
                        event.get("ref_commands").get(0).get("action").asText().equals("delete")));
    assertEquals("0".repeat(40), deleted.get("ref_commands").get(0).get("new").asText());
    assertEquals("ok", deleted.get("ref_commands").get(0).get("upstream_result").asText());
  }

  @Test
  void metrics_countKnownTraffic() throws Exception {
    String admin = AdminEndpoints.admin(fixture);
    String before = AdminEndpoints.get(admin + "/metrics").body();
    String refs = fixture.proxyUrl() + "/local/owner/allowed.git/info/refs?service=git-upload-pack";
    String secret =
        fixture.proxyUrl() + "/local/owner/secret.git/info/refs?service=git-upload-pack";
    String reader = fixture.tokenR();
    taskTokens.add(reader);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, AdminEndpoints.get(refs, "Bearer " + reader).statusCode());
    }
    for (int i = 0; i < 2; i++) {
      assertEquals(401, AdminEndpoints.get(refs, "Bearer not-a-jwt").statusCode());
    }
    HttpResponse<String> forbidden = AdminEndpoints.get(secret, "Bearer " + reader);
    assertEquals(403, forbidden.statusCode());
    String requestId = forbidden.headers().firstValue("X-Request-Id").orElseThrow();
    JsonNode event = awaitEvent(e -> e.get("request_id").asText().equals(requestId));
    assertEquals("repository-not-granted", event.get("reason").asText());

    HttpResponse<String> scrape = AdminEndpoints.get(admin + "/metrics");
    assertEquals(200, scrape.statusCode());
    assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    String after = scrape.body();
    assertDelta(
        before,
        after,
        3,
        "gitward_requests_total",
        Map.of("service", "git-upload-pack", "outcome", "allowed"));
    assertDelta(
        before,
        after,
        2,
        "gitward_requests_total",
        Map.of("service", "git-upload-pack", "outcome", "unauthenticated"));
    assertDelta(
        before,
        after,
        1,
        "gitward_requests_total",
        Map.of("service", "git-upload-pack", "outcome", "denied"));
    assertDelta(
        before, after, 1, "gitward_decisions_total", Map.of("reason", "repository-not-granted"));
    assertDelta(before, after, 2, "gitward_decisions_total", Map.of("reason", "token-malformed"));
    assertDelta(before, after, 2, "gitward_token_rejections_total", Map.of("reason", "malformed"));
    assertDelta(
        before,
        after,
        3,
        "gitward_upstream_requests_seconds_count",
        Map.of("upstream", "local", "service", "git-upload-pack", "status_class", "2xx"));
    assertTrue(
        PrometheusText.sum(after, "gitward_sent_bytes_total", Map.of("service", "git-upload-pack"))
            > 0);
    assertEquals(0, PrometheusText.sum(after, "gitward_requests_in_flight", Map.of()));
    assertEquals(1, PrometheusText.sum(after, "gitward_audit_sink_healthy", Map.of()));
    assertTrue(after.contains("gitward_audit_queue_depth"), "audit queue depth gauge missing");
    assertTrue(PrometheusText.sum(after, "jvm_memory_used_bytes", Map.of()) > 0);
  }

  private static void assertDelta(
      String before, String after, double expected, String name, Map<String, String> labels) {
    assertEquals(
        expected,
        PrometheusText.sum(after, name, labels) - PrometheusText.sum(before, name, labels),
        name + labels);
  }

  @Test
  void readiness_listsEveryCheck() throws Exception {
    HttpResponse<String> ready = AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    JsonNode body = JSON.readTree(ready.body());
    assertTrue(body.get("ready").asBoolean());
    List<String> names = new ArrayList<>();
    body.get("checks").forEach(check -> names.add(check.get("name").asText()));
    assertEquals(List.of("keys", "audit", "upstream local credential", "revocations"), names);
    assertEquals(200, AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/healthz").statusCode());
  }

  @Test
  void canary_noSecretInAuditOrMetrics() throws Exception {
    MintedToken token = mint("task-canary", Action.CREATE, Action.UPDATE);
    GitClient git = fixture.git(fixture.newFolder("work"), token.token());
    Path clone = cloneAllowed(git);
    commit(git, clone, "canary.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/canary").assertSuccess();
    awaitEvent(pushOf("refs/heads/agent/canary"));
    String audit = Files.readString(auditFile);
    String metrics = AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/metrics").body();
    for (String secret : List.copyOf(taskTokens)) {
      assertFalse(audit.contains(secret), "a task token is in the audit log");
      assertFalse(metrics.contains(secret), "a task token is in /metrics");
      String signature = secret.substring(secret.lastIndexOf('.') + 1);
      assertFalse(audit.contains(signature), "a token signature is in the audit log");
    }
    assertFalse(audit.contains(UPSTREAM_TOKEN), "the upstream token is in the audit log");
    assertFalse(metrics.contains(UPSTREAM_TOKEN), "the upstream token is in /metrics");
    assertFalse(metrics.contains("owner/allowed"), "a repository name is a metric tag");
    AuditVerifier.Result result = AuditVerifier.verify(auditFile);
    assertEquals(Optional.empty(), result.broken());
    assertNotNull(result.headHash());
  }
}
