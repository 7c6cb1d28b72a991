package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gitward.testing.AdminEndpoints;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.PrometheusText;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A real Gitward whose audit sink fails: {@code /dev/full} fails every write with ENOSPC even for
 * root, and a file replaced by a directory cannot be reopened. Either way readiness turns false and
 * git requests get 503 without reaching the upstream.
 */
class AuditFailureTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(50);
    }
  }

  private static String refsUrl(GitwardFixture fixture) {
    return fixture.proxyUrl() + "/local/owner/allowed.git/info/refs?service=git-upload-pack";
  }

  private static int readyStatus(GitwardFixture fixture) {
    return AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/readyz").statusCode();
  }

  private static JsonNode auditCheck(GitwardFixture fixture) throws Exception {
    JsonNode body =
        JSON.readTree(AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/readyz").body());
    for (JsonNode check : body.get("checks")) {
      if (check.get("name").asText().equals("audit")) {
        return check;
      }
    }
    throw new AssertionError("no audit check in " + body);
  }

  private static long upstreamRequests(GitwardFixture fixture) {
    return fixture.upstream().requests().size();
  }

  @Test
  void fullDisk_rejectsWithoutUpstreamIo() throws Exception {
    try (GitwardFixture fixture =
        GitwardFixture.builder().yaml("audit:\n  file: /dev/full\n").start()) {
      String token = "Bearer " + fixture.tokenR();
      assertEquals(200, readyStatus(fixture));
      assertEquals(200, AdminEndpoints.get(refsUrl(fixture), token).statusCode());
      await(() -> readyStatus(fixture) == 503, "readiness fails");
      JsonNode check = auditCheck(fixture);
      assertFalse(check.get("ok").asBoolean());
      assertTrue(
          check.get("detail").asText().contains("No space left on device"), check.toString());

      long before = upstreamRequests(fixture);
      HttpResponse<String> rejected = AdminEndpoints.get(refsUrl(fixture), token);
      assertEquals(503, rejected.statusCode());
      assertTrue(rejected.body().contains("audit log unavailable"), rejected.body());
      assertEquals(before, upstreamRequests(fixture));
      String metrics = AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/metrics").body();
      assertEquals(0, PrometheusText.sum(metrics, "gitward_audit_sink_healthy", Map.of()));
      assertEquals(1, PrometheusText.sum(metrics, "gitward_audit_sink_outages_total", Map.of()));
    }
  }

  @Test
  void replacedFile_failsUntilRemoved() throws Exception {
    Path directory = Files.createTempDirectory("gitward-audit-failure");
    Path file = directory.resolve("audit.log");
    try (GitwardFixture fixture =
        GitwardFixture.builder().yaml("audit:\n  file: " + file + "\n").start()) {
      String token = "Bearer " + fixture.tokenR();
      assertEquals(200, AdminEndpoints.get(refsUrl(fixture), token).statusCode());
      await(() -> file.toFile().length() > 0, "the first event is written");

      Files.delete(file);
      Files.createDirectory(file);
      await(() -> readyStatus(fixture) == 503, "readiness reports the replaced file");
      assertTrue(
          auditCheck(fixture).get("detail").asText().contains("was removed")
              || auditCheck(fixture).get("detail").asText().contains("replaced"));
      long before = upstreamRequests(fixture);
      assertEquals(503, AdminEndpoints.get(refsUrl(fixture), token).statusCode());
      assertEquals(before, upstreamRequests(fixture));

      Files.delete(file);
      await(() -> readyStatus(fixture) == 200, "readiness recovers");
      assertEquals(200, AdminEndpoints.get(refsUrl(fixture), token).statusCode());
      await(
          () -> {
            try {
              return Files.readAllLines(file).size() == 2;
            } catch (java.io.IOException e) {
              return false;
            }
          },
          "the rejected request and the next one are written to the new file");
    }
  }
}
