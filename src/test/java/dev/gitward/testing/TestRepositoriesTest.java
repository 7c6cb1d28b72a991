package dev.gitward.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the seeded repositories and the git client on their own, without HTTP. */
class TestRepositoriesTest {
  @TempDir Path root;

  @Test
  void createAllowed_hasMainAndAgentBase() {
    TestRepositories repositories = TestRepositories.in(root);

    Path allowed = repositories.createAllowed();

    Map<String, String> refs = repositories.refs(allowed);
    assertEquals(2, refs.size(), refs::toString);
    GitClient git = GitClient.in(allowed);
    String parent = git.run("rev-parse", "main^").assertSuccess().stdout().strip();
    assertEquals(parent, refs.get("refs/heads/agent/base"));
    assertEquals("true", git.run("config", "http.receivepack").assertSuccess().stdout().strip());
    assertEquals(
        "true", git.run("config", "uploadpack.allowFilter").assertSuccess().stdout().strip());
    assertEquals(
        "true",
        git.run("config", "uploadpack.allowAnySHA1InWant").assertSuccess().stdout().strip());
  }

  @Test
  void createAllowed_isDeterministic() {
    Path first = root.resolve("first");
    Path second = root.resolve("second");

    Map<String, String> firstRefs =
        TestRepositories.in(first).refs(TestRepositories.in(first).createAllowed());
    Map<String, String> secondRefs =
        TestRepositories.in(second).refs(TestRepositories.in(second).createAllowed());

    assertEquals(firstRefs, secondRefs);
  }

  @Test
  void createTags_createsAnnotatedTags() {
    TestRepositories repositories = TestRepositories.in(root);
    Path allowed = repositories.createAllowed();

    repositories.createTags(allowed, 300);

    Map<String, String> refs = repositories.refs(allowed);
    assertEquals(302, refs.size());
    String type =
        GitClient.in(allowed).run("cat-file", "-t", "refs/tags/tag-0300").assertSuccess().stdout();
    assertEquals("tag", type.strip());
  }

  @Test
  void commitPseudoRandomBlob_storesExactSize() {
    TestRepositories repositories = TestRepositories.in(root);
    Path allowed = repositories.createAllowed();

    repositories.commitPseudoRandomBlob(allowed, "main", "blob.bin", 300 * 1024, 7);

    String size =
        GitClient.in(allowed).run("cat-file", "-s", "main:blob.bin").assertSuccess().stdout();
    assertEquals(String.valueOf(300 * 1024), size.strip());
  }

  @Test
  void pseudoRandomFile_repeatsForSameSeed() throws Exception {
    PseudoRandomFile.write(root.resolve("a"), 100_003, 9);
    PseudoRandomFile.write(root.resolve("b"), 100_003, 9);
    PseudoRandomFile.write(root.resolve("c"), 100_003, 10);

    byte[] a = Files.readAllBytes(root.resolve("a"));
    assertEquals(100_003, a.length);
    assertTrue(Arrays.equals(a, Files.readAllBytes(root.resolve("b"))));
    assertFalse(Arrays.equals(a, Files.readAllBytes(root.resolve("c"))));
  }

  @Test
  void preReceiveHook_rejectsPush() {
    TestRepositories repositories = TestRepositories.in(root);
    Path allowed = repositories.createAllowed();
    repositories.addPreReceiveHook(allowed, "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n");

    AssertionError error =
        assertThrows(
            AssertionError.class,
            () -> repositories.commitFiles(allowed, "main", Map.of("x", "y"), "Blocked"));

    assertTrue(error.getMessage().contains("hook says no"), error.getMessage());
  }

  @Test
  void path_rejectsDotDot() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> TestRepositories.in(root).path("a/../b.git"));
    assertEquals(
        "repository name: a/../b.git (expected: slash-separated segments of [A-Za-z0-9_.-]"
            + " without '..')",
        error.getMessage());
  }

  @Test
  void gitClient_killsCommandAfterTimeout() {
    GitClient git =
        GitClient.in(root).withConfig("alias.hang", "!sleep 60").withTimeout(Duration.ofSeconds(1));

    AssertionError error = assertThrows(AssertionError.class, () -> git.run("hang"));

    assertTrue(error.getMessage().contains("timed out after PT1S"), error.getMessage());
  }

  @Test
  void gitClient_drainsLargeOutput() {
    PseudoRandomFile.write(root.resolve("big"), 4 * 1024 * 1024, 3);
    GitClient git = GitClient.in(root);

    GitResult result = git.run("hash-object", "--no-filters", "big").assertSuccess();

    assertEquals(41, result.stdout().length());
    GitResult diff = git.run("diff", "--no-index", "--binary", "/dev/null", "big");
    assertTrue(diff.stdout().length() > 4 * 1024 * 1024, () -> "diff: " + diff.exitCode());
  }
}
