package dev.gitward.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the credentials that the backend can require, with the real git client. */
class GitHttpBackendAuthTest {
  @TempDir Path workDir;

  @Test
  void basicAuth_rejectsCloneWithoutCredential() {
    try (GitHttpBackend backend =
        GitHttpBackend.builder().requireBasicAuth("alice", "s3cret").start()) {
      TestRepositories.in(backend.root()).createAllowed();

      GitResult result =
          GitClient.in(workDir).run("clone", backend.url(TestRepositories.ALLOWED), "clone");

      result.assertFailure();
      assertTrue(result.stderr().contains("terminal prompts disabled"), result.stderr());
      UpstreamRequest first = backend.requests().get(0);
      assertEquals(401, first.status(), first::toString);
      assertEquals(Optional.empty(), first.header("Authorization"), first::toString);
    }
  }

  @Test
  void basicAuth_retriesWithHelperCredential() {
    try (GitHttpBackend backend =
        GitHttpBackend.builder().requireBasicAuth("alice", "s3cret").start()) {
      TestRepositories.in(backend.root()).createAllowed();
      GitClient git = GitClient.in(workDir).withCredential("alice", "s3cret");

      git.run("clone", backend.url(TestRepositories.ALLOWED), "clone").assertSuccess();

      List<UpstreamRequest> requests = backend.requests();
      assertEquals(401, requests.get(0).status(), requests::toString);
      assertEquals(Optional.empty(), requests.get(0).header("Authorization"));
      for (UpstreamRequest request : requests.subList(1, requests.size())) {
        assertEquals(200, request.status(), request::toString);
        assertEquals(
            Optional.of("Basic YWxpY2U6czNjcmV0"),
            request.header("Authorization"),
            request::toString);
      }
      assertEquals(List.of("get", "store"), git.credentialHelperActions());
    }
  }

  @Test
  void basicAuth_erasesWrongHelperCredential() {
    try (GitHttpBackend backend =
        GitHttpBackend.builder().requireBasicAuth("alice", "s3cret").start()) {
      TestRepositories.in(backend.root()).createAllowed();
      GitClient git = GitClient.in(workDir).withCredential("alice", "wrong");

      GitResult result = git.run("clone", backend.url(TestRepositories.ALLOWED), "clone");

      result.assertFailure();
      assertTrue(result.stderr().contains("Authentication failed"), result.stderr());
      assertEquals(List.of("get", "erase"), git.credentialHelperActions());
    }
  }

  @Test
  void basicAuth_acceptsUrlCredential() {
    try (GitHttpBackend backend =
        GitHttpBackend.builder().requireBasicAuth("alice", "s3cret").start()) {
      TestRepositories.in(backend.root()).createAllowed();
      String url = backend.url(TestRepositories.ALLOWED).replace("://", "://alice:s3cret@");

      GitClient.in(workDir).run("clone", url, "clone").assertSuccess();

      assertEquals(401, backend.requests().get(0).status());
    }
  }

  @Test
  void bearer_acceptsExtraHeader() {
    try (GitHttpBackend backend =
        GitHttpBackend.builder().requireBearer("upstream-token").start()) {
      TestRepositories.in(backend.root()).createAllowed();
      GitClient git = GitClient.in(workDir);

      git.run("clone", backend.url(TestRepositories.ALLOWED), "denied").assertFailure();
      git.withConfig("http.extraHeader", "Authorization: Bearer upstream-token")
          .run("clone", backend.url(TestRepositories.ALLOWED), "clone")
          .assertSuccess();

      UpstreamRequest last = backend.requests().get(backend.requests().size() - 1);
      assertEquals(200, last.status(), last::toString);
      assertEquals(Optional.of("Bearer upstream-token"), last.header("Authorization"));
    }
  }

  @Test
  void challenge_countsDiscardedBody() {
    try (GitHttpBackend backend =
        GitHttpBackend.builder().requireBasicAuth("alice", "s3cret").start()) {
      TestRepositories.in(backend.root()).createAllowed();

      GitClient.in(workDir).run("clone", backend.url(TestRepositories.ALLOWED), "clone");

      assertFalse(backend.requests().isEmpty());
      assertEquals(0, backend.requests().get(0).bodyBytes());
    }
  }
}
