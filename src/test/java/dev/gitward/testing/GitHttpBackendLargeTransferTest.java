package dev.gitward.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moves a 300 MiB blob through the backend in both directions. It takes tens of seconds and about
 * 1.2 GB of disk, so it runs only with {@code -Dgitward.largeTransfers=true}.
 */
@EnabledIfSystemProperty(named = "gitward.largeTransfers", matches = "true")
class GitHttpBackendLargeTransferTest {
  private static final long BLOB_BYTES = 300L * 1024 * 1024;

  /*
   * A rough bound that catches a body buffered in memory, which would add at least
   * BLOB_BYTES, while leaving room for garbage the collector has not reclaimed yet.
   */
  private static final long MAX_HEAP_GROWTH_BYTES = 128L * 1024 * 1024;

  @TempDir Path workDir;

  @Test
  void largeBlob_clonesAndPushesWithBoundedHeap() throws Exception {
    try (GitHttpBackend backend = GitHttpBackend.builder().start()) {
      TestRepositories repositories = TestRepositories.in(backend.root());
      Path allowed = repositories.createAllowed();
      repositories.commitPseudoRandomBlob(allowed, "main", "large.bin", BLOB_BYTES, 1);
      GitClient git = GitClient.in(workDir).withTimeout(Duration.ofMinutes(10));

      long growth =
          maxHeapGrowthDuring(
              () -> {
                git.run("clone", backend.url(TestRepositories.ALLOWED), "clone").assertSuccess();
                pushLargeCommit(git.at(workDir.resolve("clone")));
              });

      assertTrue(growth < MAX_HEAP_GROWTH_BYTES, "heap growth: " + growth + " bytes");
      UpstreamRequest push = backend.requests().get(backend.requests().size() - 1);
      assertTrue(push.bodyBytes() > BLOB_BYTES, push::toString);
      assertEquals(200, push.status(), push::toString);
    }
  }

  private static void pushLargeCommit(GitClient inClone) {
    PseudoRandomFile.write(inClone.workDir().resolve("pushed.bin"), BLOB_BYTES, 2);
    GitClient uncompressed = inClone.withConfig("core.compression", "0");
    uncompressed.run("add", "pushed.bin").assertSuccess();
    uncompressed.run("commit", "--message", "Add a large blob").assertSuccess();
    uncompressed.run("push", "origin", "HEAD:refs/heads/agent/large").assertSuccess();
  }

  private static long maxHeapGrowthDuring(Runnable transfer) throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    AtomicLong peak = new AtomicLong(baseline);
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.start();
    try {
      transfer.run();
    } finally {
      sampler.interrupt();
      sampler.join();
    }
    return peak.get() - baseline;
  }
}
