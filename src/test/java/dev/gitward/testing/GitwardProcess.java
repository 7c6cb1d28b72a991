package dev.gitward.testing;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gitward.config.ConfigException;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import dev.gitward.policy.Grant;
import dev.gitward.token.KeyRing;
import dev.gitward.token.SigningKeys;
import dev.gitward.token.TokenMinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Gitward running as a separate JVM with its own heap limit, started from the test classpath with
 * {@code gitward serve}, so that a test can hold it to a heap smaller than the data it moves.
 */
public final class GitwardProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;
  private final Path config;

  private GitwardProcess(Process process, int port, Path log, Path config) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.config = config;
  }

  /**
   * Starts Gitward with a new EdDSA signing key in {@code directory} and one upstream, {@code
   * local}, that forwards anonymously to {@code upstream}.
   */
  public static GitwardProcess inFrontOf(Path directory, String maxHeap, GitHttpBackend upstream) {
    Path key = directory.resolve("signing.jwk");
    try {
      SigningKeys.generateFile(key, JWSAlgorithm.EdDSA, Clock.systemUTC());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return start(
        directory,
        maxHeap,
        "proxy:\n  listen: 127.0.0.1:PORT\nadmin:\n  listen: 127.0.0.1:ADMIN\n"
            + "tokens:\n  keys:\n    - file: "
            + key
            + "\n"
            + "upstreams:\n  local:\n    url: "
            + upstream.baseUrl()
            + "\n"
            + "    credentials:\n      type: none\n");
  }

  /** Mints a token with the signing key of the running process's config file. */
  public String mint(String task, List<Grant> grants, Duration ttl) {
    try {
      GitwardConfig settings = new ConfigLoader(Map.of()).load(config);
      return new TokenMinter(
              settings.tokens(), KeyRing.load(settings.tokens().keyFiles()), Clock.systemUTC())
          .mint(task, grants, ttl)
          .token();
    } catch (ConfigException e) {
      throw new IllegalStateException("config " + config + ": " + e.getMessage(), e);
    }
  }

  /** Returns the proxy URL of a repository on the {@code local} upstream. */
  public String remote(String repository) {
    return "http://127.0.0.1:" + port + "/local/" + repository;
  }

  /**
   * Starts {@code gitward serve} with {@code configYaml}, whose proxy listener must be {@code
   * 127.0.0.1:PORT} with {@code PORT} replaced by a free port, and waits until it listens.
   */
  public static GitwardProcess start(Path directory, String maxHeap, String configYaml) {
    try {
      int port = freePort();
      int adminPort = freePort();
      Path config = directory.resolve("gitward.yaml");
      Files.writeString(
          config,
          configYaml
              .replace("PORT", String.valueOf(port))
              .replace("ADMIN", String.valueOf(adminPort)));
      Path log = directory.resolve("gitward.log");
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx" + maxHeap,
                  "-XX:+ExitOnOutOfMemoryError",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.gitward.cli.Gitward",
                  "serve",
                  "--config",
                  config.toString()));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      GitwardProcess gitward = new GitwardProcess(process, port, log, config);
      gitward.awaitListening(Duration.ofSeconds(30));
      return gitward;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitListening(Duration limit) throws IOException {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "gitward exited with " + process.exitValue() + ":\n" + output());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        sleep(100);
      }
    }
    close();
    throw new IllegalStateException("gitward did not listen within " + limit + ":\n" + output());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Returns what the process printed so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * Returns the used heap in bytes after a full collection, read with {@code jcmd GC.heap_info}
   * from the process itself.
   */
  public long usedHeapAfterGc() throws IOException, InterruptedException {
    run(jcmd(), String.valueOf(pid()), "GC.run");
    return usedHeap();
  }

  /**
   * Returns the used heap in bytes as {@code jcmd GC.heap_info} reports it, without forcing a
   * collection, so the figure includes garbage that has not been collected yet.
   */
  public long usedHeap() throws IOException, InterruptedException {
    String info = run(jcmd(), String.valueOf(pid()), "GC.heap_info");
    java.util.regex.Matcher used =
        java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
    long total = 0;
    while (used.find()) {
      total += Long.parseLong(used.group(2)) * 1024;
    }
    if (total == 0) {
      throw new IllegalStateException("no heap figures in jcmd output:\n" + info);
    }
    return total;
  }

  /**
   * Resident memory of the process in bytes, from {@code VmRSS} and {@code VmHWM} in {@code
   * /proc/<pid>/status}.
   *
   * @param rss the resident set size now
   * @param peakRss the maximum resident set size since the process started
   */
  public record ResidentMemory(long rss, long peakRss) {}

  /**
   * Reads the resident memory of the process from {@code /proc}, so it works on Linux only.
   *
   * @throws IOException if the status file cannot be read, for example after the process exited
   */
  public ResidentMemory residentMemory() throws IOException {
    long rss = -1;
    long peak = -1;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kilobytes(line);
      } else if (line.startsWith("VmHWM:")) {
        peak = kilobytes(line);
      }
    }
    if (rss < 0 || peak < 0) {
      throw new IOException("VmRSS or VmHWM missing in /proc/" + pid() + "/status");
    }
    return new ResidentMemory(rss * 1024, peak * 1024);
  }

  /** Parses a status line such as {@code VmRSS: 123456 kB}. */
  private static long kilobytes(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  private static String jcmd() {
    return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor(30, TimeUnit.SECONDS);
    return output;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
