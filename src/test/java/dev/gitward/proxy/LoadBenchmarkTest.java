package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitHttpBackend;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.GitwardProcess;
import dev.gitward.testing.PseudoRandomFile;
import dev.gitward.testing.ScratchDirectories;
import dev.gitward.testing.TestRepositories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load benchmark of one Gitward JVM capped at a 256 MB heap: 50 concurrent clones of a small
 * repository and 10 concurrent pushes, each creating its own branch. They run while a 300 MB blob
 * is cloned and a 200 MB push updates an existing branch. That push is granted {@code update} but
 * not {@code force}, so it lands only if the fast-forward proof over the spilled pack succeeds.
 *
 * <p>A background thread samples the heap with {@code jcmd GC.heap_info} (no forced collection) and
 * the resident memory from {@code /proc} once a second. The test prints the phase durations and the
 * memory figures, which {@code docs/benchmarks.md} records. It runs only on request: {@code mvn -B
 * -o test -Dgroups=load -Dtest.excludedGroups= -Dtest=LoadBenchmarkTest}.
 */
@Tag("load")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class LoadBenchmarkTest {
  private static final long MB = 1024 * 1024;
  private static final int SMALL_CLONES = 50;
  private static final int SMALL_PUSHES = 10;
  private static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(8);

  private static Path directory;
  private static TestRepositories repositories;
  private static GitHttpBackend upstream;
  private static GitwardProcess gitward;
  private static String token;
  private static final AtomicInteger failedSamples = new AtomicInteger();

  /** One git command of the load phase, with its wall-clock time. */
  private record Operation(String name, GitResult result, long startMillis, long endMillis) {
    long millis() {
      return endMillis - startMillis;
    }
  }

  /** One memory sample of the Gitward process. */
  private record Sample(long heapUsed, long rss) {}

  @BeforeAll
  static void start() throws Exception {
    directory = ScratchDirectories.create("gitward-load");
    Path root = Files.createDirectories(directory.resolve("upstream"));
    repositories = TestRepositories.in(root);
    repositories.createAllowed();
    Path big = repositories.createBare("owner/big.git");
    repositories.commitPseudoRandomBlob(big, "main", "big.bin", 300 * MB, 7);
    upstream = GitHttpBackend.builder().root(root).start();

    gitward = GitwardProcess.inFrontOf(directory, "256m", upstream);

    token =
        gitward.mint(
            "task-load",
            List.of(
                GitwardFixture.fetch("local/owner/big"),
                GitwardFixture.fetch("local/owner/allowed"),
                GitwardFixture.refs(
                    "local/owner/allowed", "refs/heads/agent/**", Action.CREATE, Action.UPDATE)),
            Duration.ofMinutes(30));
  }

  @AfterAll
  static void stop() {
    if (gitward != null) {
      gitward.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static String remote(String repository) {
    return gitward.remote(repository);
  }

  private static GitClient git(Path workDir) {
    return GitClient.in(workDir)
        .withTimeout(OPERATION_TIMEOUT)
        .withConfig("http.extraHeader", "Authorization: Bearer " + token)
        .withConfig("core.compression", "0");
  }

  @Test
  void concurrentClonesAndPushes_withLargeTransfers() throws Exception {
    Path allowed = repositories.path(TestRepositories.ALLOWED);
    String main = repositories.refs(allowed).get("refs/heads/main");
    String bigMain = repositories.refs(repositories.path("owner/big.git")).get("refs/heads/main");

    long prepareStart = System.currentTimeMillis();
    GitClient bigPush = prepareBigPush(allowed);
    List<GitClient> smallPushes = new ArrayList<>();
    for (int i = 0; i < SMALL_PUSHES; i++) {
      smallPushes.add(prepareSmallPush(allowed, i));
    }
    long prepareMillis = System.currentTimeMillis() - prepareStart;

    List<Sample> samples = new CopyOnWriteArrayList<>();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(() -> sample(samples), 0, 1, TimeUnit.SECONDS);
    ExecutorService pool = Executors.newFixedThreadPool(2 + SMALL_CLONES + SMALL_PUSHES);
    long loadStart = System.currentTimeMillis();
    List<CompletableFuture<Operation>> large = new ArrayList<>();
    List<CompletableFuture<Operation>> clones = new ArrayList<>();
    List<CompletableFuture<Operation>> pushes = new ArrayList<>();
    try {
      GitClient bigClone = git(Files.createDirectories(directory.resolve("clone-big")));
      large.add(submit(pool, "clone 300 MB", () -> bigClone.run("clone", remote("owner/big.git"))));
      large.add(
          submit(
              pool,
              "push 200 MB",
              () -> bigPush.run("push", "origin", "HEAD:refs/heads/agent/base")));
      // Give both large transfers a head start, so the small operations run while they stream.
      Thread.sleep(2000);
      for (int i = 0; i < SMALL_CLONES; i++) {
        GitClient clone = git(Files.createDirectories(directory.resolve("clones/" + i)));
        clones.add(
            submit(pool, "clone " + i, () -> clone.run("clone", remote(TestRepositories.ALLOWED))));
      }
      for (int i = 0; i < SMALL_PUSHES; i++) {
        GitClient push = smallPushes.get(i);
        String ref = "HEAD:refs/heads/agent/load-" + i;
        pushes.add(submit(pool, "push " + i, () -> push.run("push", "origin", ref)));
      }
      CompletableFuture.allOf(large.toArray(CompletableFuture[]::new)).join();
      CompletableFuture.allOf(clones.toArray(CompletableFuture[]::new)).join();
      CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdownNow();
      sampler.shutdown();
      sampler.awaitTermination(1, TimeUnit.MINUTES);
    }
    long loadMillis = System.currentTimeMillis() - loadStart;
    long heapAfterGc = gitward.usedHeapAfterGc();
    GitwardProcess.ResidentMemory finalMemory = gitward.residentMemory();

    List<Operation> operations = new ArrayList<>();
    for (List<CompletableFuture<Operation>> group : List.of(large, clones, pushes)) {
      group.forEach(future -> operations.add(future.join()));
    }
    List<String> failures = new ArrayList<>();
    for (Operation operation : operations) {
      if (operation.result().exitCode() != 0) {
        failures.add(operation.name() + ": " + operation.result());
      }
    }
    System.out.println(
        report(
            prepareMillis,
            loadMillis,
            loadStart,
            large,
            clones,
            pushes,
            samples,
            heapAfterGc,
            finalMemory,
            failures.size()));

    assertEquals(List.of(), failures);
    assertTrue(gitward.isAlive(), gitward.output());
    assertEquals(
        300 * MB, Files.size(directory.resolve("clone-big/big/big.bin")), "size of big.bin");
    assertEquals(bigMain, headOf(directory.resolve("clone-big/big")), "head of the big clone");
    for (int i = 0; i < SMALL_CLONES; i++) {
      assertEquals(main, headOf(directory.resolve("clones/" + i + "/allowed")), "clone " + i);
    }
    Map<String, String> refs = repositories.refs(allowed);
    assertEquals(headOf(bigPush.workDir()), refs.get("refs/heads/agent/base"), "agent/base");
    for (int i = 0; i < SMALL_PUSHES; i++) {
      String ref = "refs/heads/agent/load-" + i;
      assertEquals(headOf(smallPushes.get(i).workDir()), refs.get(ref), ref);
    }
    assertTrue(heapAfterGc < 128 * MB, "heap after GC at the end: " + heapAfterGc);
  }

  /** Clones the upstream directly and commits 200 MB on top of {@code agent/base}. */
  private static GitClient prepareBigPush(Path allowed) throws IOException {
    Path clone = directory.resolve("push-big");
    GitClient inClone = git(directory).at(clone);
    git(directory).run("clone", "--quiet", allowed.toString(), clone.toString()).assertSuccess();
    inClone.run("checkout", "-q", "-b", "work", "origin/agent/base").assertSuccess();
    PseudoRandomFile.write(clone.resolve("big.bin"), 200 * MB, 11);
    inClone.run("add", "big.bin").assertSuccess();
    inClone.run("commit", "-q", "-m", "Add a large file").assertSuccess();
    inClone.run("remote", "set-url", "origin", remote(TestRepositories.ALLOWED)).assertSuccess();
    return inClone;
  }

  /** Clones the upstream directly and commits one small file on top of {@code main}. */
  private static GitClient prepareSmallPush(Path allowed, int index) throws IOException {
    Path clone = directory.resolve("push-" + index);
    GitClient inClone = git(directory).at(clone);
    git(directory)
        .run("clone", "--quiet", "--shared", allowed.toString(), clone.toString())
        .assertSuccess();
    Files.writeString(clone.resolve("load-" + index + ".txt"), "push " + index + "\n");
    inClone.run("add", "load-" + index + ".txt").assertSuccess();
    inClone.run("commit", "-q", "-m", "Add load file " + index).assertSuccess();
    inClone.run("remote", "set-url", "origin", remote(TestRepositories.ALLOWED)).assertSuccess();
    return inClone;
  }

  private static CompletableFuture<Operation> submit(
      ExecutorService pool, String name, Supplier<GitResult> command) {
    return CompletableFuture.supplyAsync(
        () -> {
          long start = System.currentTimeMillis();
          GitResult result;
          try {
            result = command.get();
          } catch (AssertionError e) {
            // GitClient raises AssertionError when a command timed out; count it as a failure.
            result = new GitResult(List.of(name), -1, "", String.valueOf(e.getMessage()));
          }
          return new Operation(name, result, start, System.currentTimeMillis());
        },
        pool);
  }

  private static void sample(List<Sample> samples) {
    try {
      samples.add(new Sample(gitward.usedHeap(), gitward.residentMemory().rss()));
    } catch (IOException | RuntimeException e) {
      // jcmd can fail to attach while the JVM is busy, and the report counts the misses.
      failedSamples.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String headOf(Path workTree) {
    return GitClient.in(workTree).run("rev-parse", "HEAD").assertSuccess().stdout().strip();
  }

  private static String report(
      long prepareMillis,
      long loadMillis,
      long loadStart,
      List<CompletableFuture<Operation>> large,
      List<CompletableFuture<Operation>> clones,
      List<CompletableFuture<Operation>> pushes,
      List<Sample> samples,
      long heapAfterGc,
      GitwardProcess.ResidentMemory finalMemory,
      int errors) {
    StringBuilder text = new StringBuilder("LoadBenchmarkTest\n");
    text.append(
        String.format(
            "  prepare pushes (direct, not through Gitward): %.1f s%n", prepareMillis / 1000.0));
    text.append(String.format("  load phase, wall clock: %.1f s%n", loadMillis / 1000.0));
    for (CompletableFuture<Operation> future : large) {
      Operation operation = future.join();
      text.append(String.format("  %s: %.1f s%n", operation.name(), operation.millis() / 1000.0));
    }
    appendGroup(text, "50 small clones", clones, loadStart);
    appendGroup(text, "10 small pushes", pushes, loadStart);
    long maxHeap = samples.stream().mapToLong(Sample::heapUsed).max().orElse(-1);
    long maxRss = samples.stream().mapToLong(Sample::rss).max().orElse(-1);
    text.append(String.format("  samples: %d, failed: %d%n", samples.size(), failedSamples.get()));
    text.append(String.format("  heap used, max of samples: %d MB%n", maxHeap / MB));
    text.append(String.format("  heap used after GC at the end: %d MB%n", heapAfterGc / MB));
    text.append(String.format("  RSS, max of samples: %d MB%n", maxRss / MB));
    text.append(String.format("  RSS at the end: %d MB%n", finalMemory.rss() / MB));
    text.append(
        String.format("  VmHWM (peak RSS) at the end: %d MB%n", finalMemory.peakRss() / MB));
    text.append(String.format("  failed operations: %d%n", errors));
    List<String> logProblems =
        gitward
            .output()
            .lines()
            .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
            .toList();
    text.append(String.format("  Gitward log lines at WARN or ERROR: %d%n", logProblems.size()));
    logProblems.stream().limit(5).forEach(line -> text.append("    ").append(line).append('\n'));
    return text.toString();
  }

  /**
   * Appends the span from the group's first start to its last end and the median and maximum time
   * of one operation.
   */
  private static void appendGroup(
      StringBuilder text, String name, List<CompletableFuture<Operation>> group, long loadStart) {
    List<Operation> operations = group.stream().map(CompletableFuture::join).toList();
    long first = operations.stream().mapToLong(Operation::startMillis).min().orElse(loadStart);
    long last = operations.stream().mapToLong(Operation::endMillis).max().orElse(loadStart);
    long slowest = operations.stream().mapToLong(Operation::millis).max().orElse(0);
    long median =
        operations.stream()
            .mapToLong(Operation::millis)
            .sorted()
            .skip(operations.size() / 2)
            .findFirst()
            .orElse(0);
    text.append(
        String.format(
            "  %s: first start to last end %.1f s, median %.1f s, slowest %.1f s%n",
            name, (last - first) / 1000.0, median / 1000.0, slowest / 1000.0));
  }
}
