package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitHttpBackend;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.GitwardProcess;
import dev.gitward.testing.ScratchDirectories;
import dev.gitward.testing.TestRepositories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long and large transfers through a Gitward JVM capped at a 256 MB heap: a clone of a 300 MB blob,
 * a 200 MB push whose fast-forward is proven from the spilled pack, an upstream that sends only
 * keep-alive packets for 90 s before the pack, and a pre-receive hook that sleeps 90 s.
 */
class LargeTransferTest {
  private static final long MB = 1024 * 1024;
  private static final int SLOW_SECONDS = 90;

  private static Path directory;
  private static TestRepositories repositories;
  private static GitHttpBackend upstream;
  private static GitwardProcess gitward;
  private static String token;

  @BeforeAll
  static void start() throws Exception {
    directory = ScratchDirectories.create("gitward-large");
    Path root = Files.createDirectories(directory.resolve("upstream"));
    repositories = TestRepositories.in(root);
    repositories.createAllowed();
    Path big = repositories.createBare("owner/big.git");
    repositories.commitPseudoRandomBlob(big, "main", "big.bin", 300 * MB, 7);
    Path slow = repositories.createBare("owner/slow.git");
    repositories.commitFiles(slow, "main", Map.of("README", "slow\n"), "Start");
    Path hook = directory.resolve("slow-pack-objects.sh");
    Files.writeString(
        hook,
        "#!/bin/sh\ncase \"$GIT_DIR$PWD\" in *slow.git*) sleep "
            + SLOW_SECONDS
            + ";; esac\nexec \"$@\"\n");
    hook.toFile().setExecutable(true);
    upstream =
        GitHttpBackend.builder()
            .root(root)
            .config("uploadpack.packObjectsHook", hook.toString())
            .config("uploadpack.keepAlive", "1")
            .config("receive.keepAlive", "1")
            .start();
    gitward = GitwardProcess.inFrontOf(directory, "256m", upstream);
    token =
        gitward.mint(
            "task-large",
            List.of(
                GitwardFixture.fetch("local/owner/big"),
                GitwardFixture.fetch("local/owner/slow"),
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
        .withTimeout(Duration.ofMinutes(5))
        .withConfig("http.extraHeader", "Authorization: Bearer " + token);
  }

  @Test
  void cloneOf300MbBlob_withSmallHeap() throws Exception {
    GitClient git = git(Files.createDirectories(directory.resolve("clone-big")));
    git.run("clone", remote("owner/big.git"), "big").assertSuccess();
    assertEquals(300 * MB, Files.size(git.workDir().resolve("big/big.bin")));
    assertTrue(gitward.isAlive(), gitward.output());
    long used = gitward.usedHeapAfterGc();
    assertTrue(used < 128 * MB, "heap after the transfer: " + used);
  }

  @Test
  void push200MbWithFastForwardProof_withSmallHeap() throws Exception {
    GitClient git = git(Files.createDirectories(directory.resolve("push-big")));
    git.run("clone", remote("owner/allowed.git"), "allowed").assertSuccess();
    Path clone = git.workDir().resolve("allowed");
    GitClient inClone = git.at(clone);
    inClone.run("checkout", "-q", "-b", "work", "origin/agent/base").assertSuccess();
    dev.gitward.testing.PseudoRandomFile.write(clone.resolve("big.bin"), 200 * MB, 11);
    inClone.run("add", "big.bin").assertSuccess();
    inClone
        .run(
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-q",
            "-m",
            "Add a large file")
        .assertSuccess();
    GitResult pushed = inClone.run("push", "origin", "HEAD:refs/heads/agent/base").assertSuccess();
    String head = inClone.run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    assertEquals(
        head,
        repositories.refs(repositories.path(TestRepositories.ALLOWED)).get("refs/heads/agent/base"),
        pushed.stderr());
    assertTrue(gitward.isAlive(), gitward.output());
  }

  @Test
  void slowUpstreamAndSlowHook_noTotalTimeout() throws Exception {
    repositories.addPreReceiveHook(
        repositories.path(TestRepositories.ALLOWED),
        "#!/bin/sh\ncat >/dev/null\nsleep " + SLOW_SECONDS + "\n");
    try {
      // git aborts a transfer slower than 1 byte/s for 30 s, so the test fails unless the
      // upstream's keep-alive packets (about 5 bytes each second) reach git as they are sent.
      GitClient git =
          git(Files.createDirectories(directory.resolve("slow")))
              .withConfig("http.lowSpeedLimit", "1")
              .withConfig("http.lowSpeedTime", "30");
      git.run("clone", remote("owner/allowed.git"), "allowed").assertSuccess();
      Path clone = git.workDir().resolve("allowed");
      Files.writeString(clone.resolve("slow.txt"), "slow\n");
      git.at(clone).run("add", "slow.txt").assertSuccess();
      git.at(clone)
          .run("-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "-m", "Slow")
          .assertSuccess();
      CompletableFuture<GitResult> push =
          CompletableFuture.supplyAsync(
              () -> git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/slow"));
      CompletableFuture<GitResult> fetch =
          CompletableFuture.supplyAsync(() -> git.run("clone", remote("owner/slow.git"), "slow"));
      GitResult fetched = fetch.get();
      GitResult pushed = push.get();
      fetched.assertSuccess();
      pushed.assertSuccess();
      assertTrue(
          repositories
              .refs(repositories.path(TestRepositories.ALLOWED))
              .containsKey("refs/heads/agent/slow"));
    } finally {
      repositories.addPreReceiveHook(
          repositories.path(TestRepositories.ALLOWED), "#!/bin/sh\ncat >/dev/null\n");
    }
  }
}
