package dev.gitward.proxy;

import static dev.gitward.testing.GitwardFixture.ALLOWED;
import static dev.gitward.testing.GitwardFixture.fetch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitwardFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JGit as the client, because agents do not all run the git command line. */
class JGitClientTest {
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static UsernamePasswordCredentialsProvider credentials(String token) {
    return new UsernamePasswordCredentialsProvider("agent", token);
  }

  private static Git cloneWith(String token) throws Exception {
    Path directory = fixture.newFolder("jgit");
    return Git.cloneRepository()
        .setURI(fixture.remote("owner/allowed.git"))
        .setDirectory(directory.toFile())
        .setCredentialsProvider(credentials(token))
        .call();
  }

  private static ObjectId commit(Git git, String file) throws Exception {
    Path work = git.getRepository().getWorkTree().toPath();
    Files.writeString(work.resolve(file), file + "\n");
    git.add().addFilepattern(file).call();
    return git.commit()
        .setMessage("Add " + file)
        .setAuthor("Agent", "agent@example.com")
        .setCommitter("Agent", "agent@example.com")
        .call()
        .getId();
  }

  private static RemoteRefUpdate push(Git git, String token, String ref) throws Exception {
    Iterable<PushResult> results =
        git.push()
            .setCredentialsProvider(credentials(token))
            .setRefSpecs(new RefSpec("HEAD:" + ref))
            .call();
    return results.iterator().next().getRemoteUpdate(ref);
  }

  @Test
  void cloneAndFetch_succeed() throws Exception {
    try (Git git = cloneWith(fixture.tokenR())) {
      assertTrue(
          Files.exists(git.getRepository().getWorkTree().toPath().resolve("README.md"))
              || git.getRepository().resolve("HEAD") != null);
      git.fetch().setCredentialsProvider(credentials(fixture.tokenR())).call();
      assertEquals(
          fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/main"),
          git.getRepository().resolve("origin/main").name());
    }
  }

  @Test
  void push_grantedBranchAcceptedAndFastForwarded() throws Exception {
    String token = fixture.tokenT();
    try (Git git = cloneWith(token)) {
      commit(git, "jgit-one.txt");
      assertEquals(
          RemoteRefUpdate.Status.OK, push(git, token, "refs/heads/agent/jgit").getStatus());
      ObjectId second = commit(git, "jgit-two.txt");
      assertEquals(
          RemoteRefUpdate.Status.OK, push(git, token, "refs/heads/agent/jgit").getStatus());
      assertEquals(
          second.name(),
          fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/agent/jgit"));
    }
  }

  @Test
  void push_mainRejectedWithReason() throws Exception {
    String token = fixture.tokenT();
    String mainBefore =
        fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/main");
    try (Git git = cloneWith(token)) {
      commit(git, "jgit-main.txt");
      RemoteRefUpdate update = push(git, token, "refs/heads/main");
      assertEquals(RemoteRefUpdate.Status.REJECTED_OTHER_REASON, update.getStatus());
      assertTrue(
          update.getMessage().contains("task task-t may not update refs/heads/main"),
          update.getMessage());
    }
    assertEquals(
        mainBefore,
        fixture.repositories().refs(fixture.allowedRepository()).get("refs/heads/main"));
  }

  @Test
  void clone_outsideGrantsFails() {
    String token = fixture.mint("task-other", List.of(fetch(GitwardFixture.SECRET)));
    TransportException error = assertThrows(TransportException.class, () -> cloneWith(token));
    assertTrue(
        error.getMessage().contains("403") || error.getMessage().contains("not"),
        error.getMessage());
    assertTrue(fixture.repositories().refs(fixture.allowedRepository()).size() > 0);
    assertTrue(ALLOWED.startsWith("local/"));
  }
}
