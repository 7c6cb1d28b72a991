package dev.gitward.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the demo host with the real git client over both protocol versions. */
class EmbeddedGitHostTest {
  private static final String NAME = "demo/sample.git";

  @TempDir Path root;
  @TempDir Path workDir;

  private Path repository;
  private EmbeddedGitHost host;
  private GitClient git;

  @BeforeEach
  void startHost() {
    repository = SampleRepository.create(root, NAME);
    host = new EmbeddedGitHost(root, 0).start();
    git = GitClient.in(workDir).withEnv("GIT_TRACE_PACKET", "1");
  }

  @AfterEach
  void stopHost() {
    host.close();
  }

  @Test
  void clone_overProtocolV0() throws IOException {
    GitResult result =
        git.withConfig("protocol.version", "0")
            .run("clone", host.baseUrl() + "/" + NAME, "clone")
            .assertSuccess();

    assertFalse(result.stderr().contains("git< version 2"), result.stderr());
    assertEquals(mainOf(repository), headOf(workDir.resolve("clone")));
  }

  @Test
  void clone_overProtocolV2() throws IOException {
    GitResult result =
        git.withConfig("protocol.version", "2")
            .run("clone", host.baseUrl() + "/" + NAME, "clone")
            .assertSuccess();

    assertTrue(result.stderr().contains("git< version 2"), result.stderr());
    assertEquals(mainOf(repository), headOf(workDir.resolve("clone")));
  }

  @Test
  void push_overProtocolV0() throws IOException {
    assertPushCreatesBranch("0");
  }

  @Test
  void push_overProtocolV2() throws IOException {
    assertPushCreatesBranch("2");
  }

  @Test
  void push_chunkedBodyOverTwoMebibytes() throws IOException {
    git.run("clone", host.baseUrl() + "/" + NAME, "clone").assertSuccess();
    Path clone = workDir.resolve("clone");
    GitClient inClone = git.at(clone);
    Files.write(clone.resolve("large.bin"), pseudoRandomBytes(3 * 1024 * 1024));
    inClone.run("add", "large.bin").assertSuccess();
    inClone.run("commit", "--message", "Add 3 MiB").assertSuccess();

    inClone
        .withConfig("http.postBuffer", "65536")
        .run("push", "origin", "HEAD:refs/heads/large")
        .assertSuccess();

    assertEquals(headOf(clone), refOf(repository, "refs/heads/large"));
  }

  @Test
  void start_rejectsSecondStart() {
    IllegalStateException error = assertThrows(IllegalStateException.class, host::start);

    assertEquals("demo git host: already started on port " + host.port(), error.getMessage());
  }

  @Test
  void constructor_rejectsInvalidPort() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedGitHost(root, 65536));

    assertEquals(
        "port: 65536 (expected: 0 to 65535, where 0 picks a free port)", error.getMessage());
  }

  @Test
  void port_beforeStartFails() {
    EmbeddedGitHost idle = new EmbeddedGitHost(root, 0);

    IllegalStateException error = assertThrows(IllegalStateException.class, idle::port);

    assertEquals("demo git host: not started (expected: start() first)", error.getMessage());
  }

  private void assertPushCreatesBranch(String protocolVersion) throws IOException {
    GitClient versioned = git.withConfig("protocol.version", protocolVersion);
    versioned.run("clone", host.baseUrl() + "/" + NAME, "clone").assertSuccess();
    Path clone = workDir.resolve("clone");
    versioned.at(clone).run("commit", "--allow-empty", "--message", "Demo work").assertSuccess();

    versioned.at(clone).run("push", "origin", "HEAD:refs/heads/feature").assertSuccess();

    assertEquals(headOf(clone), refOf(repository, "refs/heads/feature"));
  }

  private String headOf(Path clone) {
    return git.at(clone).run("rev-parse", "HEAD").assertSuccess().stdout().strip();
  }

  private static String mainOf(Path bare) throws IOException {
    return refOf(bare, "refs/heads/main");
  }

  private static String refOf(Path bare, String ref) throws IOException {
    try (Repository opened = new FileRepositoryBuilder().setGitDir(bare.toFile()).build()) {
      ObjectId id = opened.resolve(ref);
      return id == null ? "missing" : id.name();
    }
  }

  private static byte[] pseudoRandomBytes(int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(5).nextBytes(bytes);
    return bytes;
  }
}
