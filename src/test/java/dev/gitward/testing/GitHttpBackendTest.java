package dev.gitward.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the real git client against the backend directly, with no proxy in between. */
class GitHttpBackendTest {
  @TempDir Path workDir;

  private GitHttpBackend backend;
  private TestRepositories repositories;
  private GitClient git;

  @BeforeEach
  void startBackend() {
    backend = GitHttpBackend.builder().start();
    repositories = TestRepositories.in(backend.root());
    repositories.createAllowed();
    git = GitClient.in(workDir);
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  @Test
  void clone_overProtocolV0() {
    git.withConfig("protocol.version", "0")
        .run("clone", backend.url(TestRepositories.ALLOWED), "clone")
        .assertSuccess();

    List<UpstreamRequest> requests = backend.requests();
    assertEquals(2, requests.size(), requests::toString);
    assertEquals("GET", requests.get(0).method());
    assertEquals("/owner/allowed.git/info/refs", requests.get(0).path());
    assertEquals("service=git-upload-pack", requests.get(0).query());
    assertEquals(200, requests.get(0).status());
    assertEquals("POST", requests.get(1).method());
    assertEquals("/owner/allowed.git/git-upload-pack", requests.get(1).path());
    assertEquals(200, requests.get(1).status());
    for (UpstreamRequest request : requests) {
      assertEquals(Optional.empty(), request.header("Git-Protocol"), request::toString);
    }
    assertEquals(
        repositories.refs(repositories.path(TestRepositories.ALLOWED)).get("refs/heads/main"),
        git.at(workDir.resolve("clone")).run("rev-parse", "HEAD").assertSuccess().stdout().strip());
  }

  @Test
  void clone_overProtocolV2() {
    git.withConfig("protocol.version", "2")
        .run("clone", backend.url(TestRepositories.ALLOWED), "clone")
        .assertSuccess();

    List<UpstreamRequest> requests = backend.requests();
    assertEquals(3, requests.size(), requests::toString);
    assertEquals("/owner/allowed.git/info/refs", requests.get(0).path());
    assertEquals("/owner/allowed.git/git-upload-pack", requests.get(1).path());
    assertEquals("/owner/allowed.git/git-upload-pack", requests.get(2).path());
    for (UpstreamRequest request : requests) {
      assertEquals(Optional.of("version=2"), request.header("git-protocol"), request::toString);
      assertEquals(200, request.status(), request::toString);
    }
  }

  @Test
  void push_createsBranch() {
    git.run("clone", backend.url(TestRepositories.ALLOWED), "clone").assertSuccess();
    GitClient inClone = git.at(workDir.resolve("clone"));
    inClone.run("commit", "--allow-empty", "--message", "Agent work").assertSuccess();
    String head = inClone.run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    backend.clearRequests();

    inClone.run("push", "origin", "HEAD:refs/heads/agent/new").assertSuccess();

    Map<String, String> refs = repositories.refs(repositories.path(TestRepositories.ALLOWED));
    assertEquals(head, refs.get("refs/heads/agent/new"));
    List<UpstreamRequest> requests = backend.requests();
    assertEquals(2, requests.size(), requests::toString);
    assertEquals("service=git-receive-pack", requests.get(0).query());
    assertEquals("/owner/allowed.git/git-receive-pack", requests.get(1).path());
    assertEquals(200, requests.get(1).status());
  }

  @Test
  void push_largeCommitSendsProbeThenChunkedBody() {
    git.run("clone", backend.url(TestRepositories.ALLOWED), "clone").assertSuccess();
    Path clone = workDir.resolve("clone");
    PseudoRandomFile.write(clone.resolve("large.bin"), 300 * 1024, 42);
    GitClient inClone = git.at(clone);
    inClone.run("add", "large.bin").assertSuccess();
    inClone.run("commit", "--message", "Add 300 KiB").assertSuccess();
    backend.clearRequests();

    inClone
        .withConfig("http.postBuffer", "65536")
        .run("push", "origin", "HEAD:refs/heads/agent/large")
        .assertSuccess();

    List<UpstreamRequest> posts =
        backend.requests().stream().filter(r -> r.method().equals("POST")).toList();
    assertEquals(2, posts.size(), posts::toString);
    UpstreamRequest probe = posts.get(0);
    assertEquals(4, probe.bodyBytes(), probe::toString);
    assertEquals(Optional.of("4"), probe.header("Content-Length"), probe::toString);
    assertEquals(200, probe.status(), probe::toString);
    UpstreamRequest push = posts.get(1);
    assertEquals(Optional.of("chunked"), push.header("Transfer-Encoding"), push::toString);
    assertEquals(Optional.empty(), push.header("Content-Length"), push::toString);
    assertTrue(push.bodyBytes() > 300 * 1024, push::toString);
    assertEquals(200, push.status(), push::toString);
    assertTrue(
        repositories
            .refs(repositories.path(TestRepositories.ALLOWED))
            .containsKey("refs/heads/agent/large"));
  }

  @Test
  void clone_manyTagsSendsGzip() {
    repositories.createTags(repositories.path(TestRepositories.ALLOWED), 300);

    git.withConfig("protocol.version", "0")
        .run("clone", backend.url(TestRepositories.ALLOWED), "clone")
        .assertSuccess();

    List<UpstreamRequest> posts =
        backend.requests().stream().filter(r -> r.method().equals("POST")).toList();
    assertFalse(posts.isEmpty(), backend.requests()::toString);
    for (UpstreamRequest post : posts) {
      assertEquals(Optional.of("gzip"), post.header("Content-Encoding"), post::toString);
      assertEquals(200, post.status(), post::toString);
    }
    String tags = git.at(workDir.resolve("clone")).run("tag").assertSuccess().stdout();
    assertEquals(300, tags.lines().count());
  }

  @Test
  void cloneV2_manyTagsSendsGzip() {
    repositories.createTags(repositories.path(TestRepositories.ALLOWED), 300);

    git.withConfig("protocol.version", "2")
        .run("clone", backend.url(TestRepositories.ALLOWED), "clone")
        .assertSuccess();

    List<UpstreamRequest> gzipped =
        backend.requests().stream()
            .filter(r -> r.header("Content-Encoding").equals(Optional.of("gzip")))
            .toList();
    assertFalse(gzipped.isEmpty(), backend.requests()::toString);
    String tags = git.at(workDir.resolve("clone")).run("tag").assertSuccess().stdout();
    assertEquals(300, tags.lines().count());
  }
}
