package dev.gitward.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Checks the systemd unit's keys and, where systemd-analyze exists, lets it verify the unit. */
class SystemdUnitTest {
  private static final Path UNIT = Path.of("deploy/systemd/gitward.service");

  @Test
  void execStart_servesWithEtcConfig() throws Exception {
    Map<String, List<String>> service = section("Service");
    assertEquals(
        List.of(
            "/usr/bin/java -Djava.io.tmpdir=/tmp -jar /opt/gitward/gitward.jar serve"
                + " --config /etc/gitward/gitward.yaml"),
        service.get("ExecStart"));
    assertEquals(List.of("/etc/gitward/gitward.env"), service.get("EnvironmentFile"));
  }

  @Test
  void user_isDedicatedAndUnprivileged() throws Exception {
    Map<String, List<String>> service = section("Service");
    boolean dynamic = List.of("yes").equals(service.get("DynamicUser"));
    boolean dedicated = List.of("gitward").equals(service.get("User"));
    assertTrue(dynamic || dedicated, "no DynamicUser=yes or User=gitward: " + service);
    assertEquals(List.of(""), service.get("CapabilityBoundingSet"));
    assertEquals(List.of(""), service.get("AmbientCapabilities"));
  }

  @Test
  void hardening_keysHaveExpectedValues() throws Exception {
    Map<String, List<String>> service = section("Service");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("NoNewPrivileges", "true");
    expected.put("ProtectSystem", "strict");
    expected.put("ProtectHome", "true");
    expected.put("PrivateTmp", "true");
    expected.put("PrivateDevices", "true");
    expected.put("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX");
    expected.put("StateDirectory", "gitward");
    expected.put("LogsDirectory", "gitward");
    expected.put("ReadWritePaths", "/var/log/gitward");
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      assertEquals(List.of(entry.getValue()), service.get(entry.getKey()), entry.getKey());
    }
  }

  @Test
  void stopTimeout_exceedsDrainTimeout() throws Exception {
    String text = section("Service").get("TimeoutStopSec").get(0);
    assertTrue(text.endsWith("s"), "TimeoutStopSec without a seconds unit: " + text);
    Duration stop = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
    GitwardConfig defaults =
        new ConfigLoader(Map.of()).parse(DockerfileTest.minimalConfig(), "minimal");
    assertTrue(
        stop.compareTo(defaults.proxy().drainTimeout()) > 0,
        "TimeoutStopSec "
            + stop
            + " is not above proxy.drain-timeout "
            + defaults.proxy().drainTimeout());
  }

  @Test
  void systemdAnalyze_verifiesUnit() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
    Process process =
        new ProcessBuilder(analyze.toString(), "verify", UNIT.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify timed out");
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    assertEquals("", output.strip(), "systemd-analyze verify printed warnings");
  }

  /** Returns each key of one section with its values in file order, skipping comments. */
  private static Map<String, List<String>> section(String name) throws IOException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    String current = null;
    for (String line : Files.readAllLines(UNIT)) {
      String stripped = line.strip();
      if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith(";")) {
        continue;
      }
      if (stripped.startsWith("[")) {
        current = stripped.substring(1, stripped.length() - 1);
        continue;
      }
      if (name.equals(current)) {
        int equals = stripped.indexOf('=');
        keys.computeIfAbsent(stripped.substring(0, equals), key -> new ArrayList<>())
            .add(stripped.substring(equals + 1));
      }
    }
    return keys;
  }
}
