package dev.gitward.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gitward.testing.AdminEndpoints;
import dev.gitward.testing.GitwardFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the files under {@code deploy/monitoring} with the real Prometheus tools: {@code promtool}
 * validates the alerting rules, and a Prometheus server on loopback scrapes a running Gitward. The
 * tests are skipped, with a message, where the Debian package {@code prometheus} is not installed.
 */
class MonitoringTest {
  private static final Path ALERTS = Path.of("deploy/monitoring/alerts.yml");
  private static final Path DASHBOARD = Path.of("deploy/monitoring/grafana-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\b(gitward_[a-z_]+|jvm_[a-z_]+)");

  private static boolean installed(String command) {
    return Files.isExecutable(Path.of("/usr/bin", command));
  }

  private static Process start(Path log, String... command) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  @Test
  void promtool_acceptsAlertRules() throws Exception {
    assumeTrue(installed("promtool"), "promtool not installed (apt-get install prometheus)");
    Path log = Files.createTempFile("promtool", ".log");
    Process process = start(log, "promtool", "check", "rules", ALERTS.toString());
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool timed out");
    String output = Files.readString(log);
    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains("SUCCESS: 7 rules found"), output);
  }

  @Test
  void monitoringFiles_nameOnlyServedMetrics() throws Exception {
    try (GitwardFixture fixture = GitwardFixture.start()) {
      String token = "Bearer " + fixture.tokenR();
      AdminEndpoints.get(refs(fixture), token);
      AdminEndpoints.get(refs(fixture), "Bearer not-a-jwt");
      fixture.server().meters().minted(GitwardFixture.UPSTREAM, Duration.ofMillis(30), false);
      fixture.server().meters().cacheLookup(GitwardFixture.UPSTREAM, true);
      String scrape = AdminEndpoints.get(AdminEndpoints.admin(fixture) + "/metrics").body();
      TreeSet<String> missing = new TreeSet<>();
      String files = Files.readString(ALERTS) + Files.readString(DASHBOARD);
      Matcher matcher = METRIC.matcher(files);
      while (matcher.find()) {
        if (!scrape.contains(matcher.group(1))) {
          missing.add(matcher.group(1));
        }
      }
      assertEquals(new TreeSet<>(), missing, "metrics named in deploy/monitoring but not served");
    }
  }

  @Test
  void prometheus_scrapesKnownTraffic() throws Exception {
    assumeTrue(installed("prometheus"), "prometheus not installed (apt-get install prometheus)");
    Path directory = Files.createTempDirectory("gitward-prometheus");
    try (GitwardFixture fixture = GitwardFixture.start()) {
      String token = "Bearer " + fixture.tokenR();
      for (int i = 0; i < 3; i++) {
        assertEquals(200, AdminEndpoints.get(refs(fixture), token).statusCode());
      }
      int port = freePort();
      Path config = directory.resolve("prometheus.yml");
      Files.writeString(
          config,
          "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
              + "rule_files:\n  - "
              + ALERTS.toAbsolutePath()
              + "\nscrape_configs:\n  - job_name: gitward\n    metrics_path: /metrics\n"
              + "    static_configs:\n      - targets: ['127.0.0.1:"
              + fixture.server().adminAddress().getPort()
              + "']\n");
      Path log = directory.resolve("prometheus.log");
      Process prometheus =
          start(
              log,
              "prometheus",
              "--config.file=" + config,
              "--storage.tsdb.path=" + directory.resolve("data"),
              "--web.listen-address=127.0.0.1:" + port);
      try {
        double allowed =
            awaitValue(
                port,
                "sum(gitward_requests_total{job=\"gitward\",service=\"git-upload-pack\","
                    + "outcome=\"allowed\"})",
                prometheus,
                log);
        assertEquals(3, allowed);
      } finally {
        prometheus.destroy();
        if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }
  }

  private static String refs(GitwardFixture fixture) {
    return fixture.proxyUrl() + "/local/owner/allowed.git/info/refs?service=git-upload-pack";
  }

  /** Queries Prometheus until the expression has a value, and returns it. */
  private static double awaitValue(int port, String query, Process prometheus, Path log)
      throws Exception {
    String url =
        "http://127.0.0.1:"
            + port
            + "/api/v1/query?query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> answers = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      assertTrue(prometheus.isAlive(), "prometheus exited: " + Files.readString(log));
      try {
        JsonNode body = new ObjectMapper().readTree(AdminEndpoints.get(url).body());
        JsonNode result = body.path("data").path("result");
        answers.add(body.toString());
        if (result.isArray() && result.size() == 1) {
          return Double.parseDouble(result.get(0).get("value").get(1).asText());
        }
      } catch (java.io.UncheckedIOException e) {
        answers.add(e.getCause().toString());
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "no scrape within 60 s; last answer: "
            + (answers.isEmpty() ? "none" : answers.get(answers.size() - 1))
            + "\n"
            + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
