package dev.gitward.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gitward.testing.GitClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleRepositoryTest {
  @TempDir Path root;

  @Test
  void create_writesThreeCommitsOnMain() {
    Path repository = SampleRepository.create(root, "demo/sample.git");

    GitClient git = GitClient.in(repository);
    String log = git.run("log", "--format=%s|%an|%aI", "main").assertSuccess().stdout();
    assertEquals(
        List.of(
            "Explain how to run the greeting|Gitward Demo|2024-01-01T14:00:00+00:00",
            "Add a greeting program|Gitward Demo|2024-01-01T13:00:00+00:00",
            "Add README|Gitward Demo|2024-01-01T12:00:00+00:00"),
        log.lines().toList());
    assertEquals(
        "refs/heads/main", git.run("symbolic-ref", "HEAD").assertSuccess().stdout().strip());
    assertEquals(
        "README.md\nsrc/demo/Hello.java\n",
        git.run("ls-tree", "-r", "--name-only", "main").assertSuccess().stdout());
    git.run("fsck", "--strict").assertSuccess();
  }

  @Test
  void create_isDeterministic() {
    Path first = SampleRepository.create(root, "a/sample.git");
    Path second = SampleRepository.create(root, "b/sample.git");

    assertEquals(
        GitClient.in(first).run("rev-parse", "main").assertSuccess().stdout(),
        GitClient.in(second).run("rev-parse", "main").assertSuccess().stdout());
  }

  @Test
  void create_rejectsExistingRepository() {
    Path repository = SampleRepository.create(root, "demo/sample.git");

    IllegalStateException error =
        assertThrows(
            IllegalStateException.class, () -> SampleRepository.create(root, "demo/sample.git"));

    assertEquals("repository already exists: " + repository, error.getMessage());
  }

  @Test
  void create_rejectsDotDotName() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> SampleRepository.create(root, "../escape.git"));

    assertEquals(
        "repository name: ../escape.git (expected: slash-separated segments of [A-Za-z0-9_.-]"
            + " without '..')",
        error.getMessage());
  }
}
