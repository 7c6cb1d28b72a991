package dev.gitward.proxy;

import static dev.gitward.testing.GitwardFixture.ALLOWED;
import static dev.gitward.testing.GitwardFixture.fetch;
import static dev.gitward.testing.GitwardFixture.refs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gitward.config.TokenSettings;
import dev.gitward.policy.Action;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.UpstreamRequest;
import dev.gitward.testing.WorkTrees;
import dev.gitward.token.KeyRing;
import dev.gitward.token.SigningKeys;
import dev.gitward.token.TokenMinter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real git client through Gitward to a real git http-backend. */
class ProxyEndToEndTest {
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static GitClient git(String token) {
    return fixture.git(fixture.newFolder("work"), token);
  }

  private static Path cloneAllowed(GitClient git) {
    git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess();
    return git.workDir().resolve("clone");
  }

  private static List<UpstreamRequest> upstreamPushes() {
    return fixture.upstream().requests().stream()
        .filter(request -> request.method().equals("POST"))
        .filter(request -> request.path().endsWith("/git-receive-pack"))
        .toList();
  }

  private static Map<String, String> upstreamRefs() {
    return fixture.repositories().refs(fixture.allowedRepository());
  }

  @Test
  void clone_protocolV0AndV2() throws Exception {
    for (String version : List.of("0", "2")) {
      GitClient git = git(fixture.tokenR()).withConfig("protocol.version", version);
      fixture.upstream().clearRequests();
      Path clone = cloneAllowed(git);
      assertTrue(Files.exists(clone.resolve(".git")), "clone with protocol " + version);
      boolean sawV2 =
          fixture.upstream().requests().stream()
              .allMatch(request -> request.header("Git-Protocol").orElse("").equals("version=2"));
      assertEquals(version.equals("2"), sawV2, "Git-Protocol on every upstream request");
    }
  }

  @Test
  void shallowAndPartialClone_succeed() {
    GitClient git = git(fixture.tokenR());
    git.run("clone", "--depth", "1", fixture.remote("owner/allowed.git"), "shallow")
        .assertSuccess();
    git.run("clone", "--filter=blob:none", fixture.remote("owner/allowed"), "partial")
        .assertSuccess();
    GitResult count =
        git.at(git.workDir().resolve("shallow")).run("rev-list", "--count", "HEAD").assertSuccess();
    assertEquals("1", count.stdout().strip());
  }

  @Test
  void fetchAndLsRemote_succeed() {
    GitClient git = git(fixture.tokenR());
    Path clone = cloneAllowed(git);
    git.at(clone).run("fetch", "origin").assertSuccess();
    GitResult refs = git.run("ls-remote", fixture.remote("owner/allowed.git")).assertSuccess();
    assertTrue(refs.stdout().contains("refs/heads/main"), refs.stdout());
    assertTrue(refs.stdout().contains("refs/heads/agent/base"), refs.stdout());
  }

  @Test
  void push_createsAndFastForwardsGrantedBranch() throws Exception {
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git);
    WorkTrees.commitFile(git, clone, "one.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/ff").assertSuccess();
    WorkTrees.commitFile(git, clone, "two.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/ff").assertSuccess();
    String head = git.at(clone).run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    assertEquals(head, upstreamRefs().get("refs/heads/agent/ff"));
  }

  @Test
  void push_nonFastForwardNeedsForce() throws Exception {
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git);
    WorkTrees.commitFile(git, clone, "base.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/rewrite").assertSuccess();
    String before = upstreamRefs().get("refs/heads/agent/rewrite");
    git.at(clone)
        .run(
            "-c",
            "user.name=Agent",
            "-c",
            "user.email=agent@example.com",
            "commit",
            "-q",
            "--amend",
            "-m",
            "Rewritten")
        .assertSuccess();

    GitResult denied =
        git.at(clone)
            .run("push", "--force", "origin", "HEAD:refs/heads/agent/rewrite")
            .assertFailure();
    assertTrue(denied.stderr().contains("[remote rejected]"), denied.stderr());
    assertTrue(
        denied.stderr().contains("may only fast-forward refs/heads/agent/rewrite"),
        denied.stderr());
    assertEquals(before, upstreamRefs().get("refs/heads/agent/rewrite"));

    String forceToken =
        fixture.mint(
            "task-force",
            List.of(
                fetch(ALLOWED),
                refs(ALLOWED, "refs/heads/agent/**", Action.CREATE, Action.UPDATE, Action.FORCE)));
    GitClient forcing = fixture.git(clone, forceToken);
    forcing.run("push", "--force", "origin", "HEAD:refs/heads/agent/rewrite").assertSuccess();
    String head = forcing.run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    assertEquals(head, upstreamRefs().get("refs/heads/agent/rewrite"));
  }

  @Test
  void pushToMain_rejectedWithReasonAndNothingForwarded() throws Exception {
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git);
    WorkTrees.commitFile(git, clone, "main.txt");
    String mainBefore = upstreamRefs().get("refs/heads/main");
    fixture.upstream().clearRequests();

    GitResult result = git.at(clone).run("push", "origin", "HEAD:refs/heads/main").assertFailure();
    assertTrue(result.stderr().contains("! [remote rejected] HEAD -> main"), result.stderr());
    assertTrue(
        result.stderr().contains("task task-t may not update refs/heads/main"), result.stderr());
    assertTrue(result.stderr().contains("remote: gitward rejected the push"), result.stderr());
    assertTrue(result.stderr().contains("[ref-not-granted])"), result.stderr());
    assertEquals(mainBefore, upstreamRefs().get("refs/heads/main"));
    assertEquals(List.of(), upstreamPushes());
  }

  @Test
  void pushToSymbolicRef_rejectedAndTargetUnchanged() throws Exception {
    GitClient.in(fixture.allowedRepository())
        .run("symbolic-ref", "refs/heads/agent/link", "refs/heads/main")
        .assertSuccess();
    try {
      GitClient git = git(fixture.tokenT());
      Path clone = cloneAllowed(git);
      WorkTrees.commitFile(git, clone, "link.txt");
      String mainBefore = upstreamRefs().get("refs/heads/main");
      fixture.upstream().clearRequests();

      GitResult result =
          git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/link").assertFailure();
      assertTrue(
          result.stderr().contains("! [remote rejected] HEAD -> agent/link"), result.stderr());
      assertTrue(
          result
              .stderr()
              .contains(
                  "refs/heads/agent/link is a symbolic ref to"
                      + " refs/heads/main on the upstream"),
          result.stderr());
      assertTrue(result.stderr().contains("[symbolic-ref]"), result.stderr());
      assertEquals(mainBefore, upstreamRefs().get("refs/heads/main"));
      assertEquals(List.of(), upstreamPushes());
    } finally {
      GitClient.in(fixture.allowedRepository())
          .run("symbolic-ref", "--delete", "refs/heads/agent/link")
          .assertSuccess();
    }
  }

  @Test
  void delete_needsDeleteGrant() {
    fixture
        .repositories()
        .updateRef(
            fixture.allowedRepository(),
            "refs/heads/agent/doomed",
            upstreamRefs().get("refs/heads/main"));
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git);
    GitResult denied =
        git.at(clone).run("push", "origin", ":refs/heads/agent/doomed").assertFailure();
    assertTrue(denied.stderr().contains("may not delete refs/heads/agent/doomed"), denied.stderr());
    assertTrue(upstreamRefs().containsKey("refs/heads/agent/doomed"));

    String deleter =
        fixture.mint(
            "task-delete",
            List.of(fetch(ALLOWED), refs(ALLOWED, "refs/heads/agent/**", Action.DELETE)));
    fixture.git(clone, deleter).run("push", "origin", ":refs/heads/agent/doomed").assertSuccess();
    assertFalse(upstreamRefs().containsKey("refs/heads/agent/doomed"));
  }

  @Test
  void tagPush_needsTagGrant() {
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git);
    git.at(clone).run("tag", "v1.0").assertSuccess();
    GitResult denied = git.at(clone).run("push", "origin", "refs/tags/v1.0").assertFailure();
    assertTrue(denied.stderr().contains("may not create refs/tags/v1.0"), denied.stderr());
    assertFalse(upstreamRefs().containsKey("refs/tags/v1.0"));

    String tagger =
        fixture.mint(
            "task-release", List.of(fetch(ALLOWED), refs(ALLOWED, "refs/tags/v*", Action.CREATE)));
    fixture.git(clone, tagger).run("push", "origin", "refs/tags/v1.0").assertSuccess();
    assertTrue(upstreamRefs().containsKey("refs/tags/v1.0"));
  }

  @Test
  void repositoryOutsideGrants_forbiddenAndNothingForwarded() {
    fixture.upstream().clearRequests();
    GitClient git = git(fixture.tokenT());
    GitResult result =
        git.run("clone", fixture.remote("owner/secret.git"), "secret").assertFailure();
    assertTrue(
        result
            .stderr()
            .contains("remote: gitward: task task-t has no grant for" + " local/owner/secret"),
        result.stderr());
    assertTrue(result.stderr().contains("[repository-not-granted]"), result.stderr());
    assertEquals(List.of(), fixture.upstream().requests());
  }

  @Test
  void missingToken_unauthorized() {
    GitClient git = GitClient.in(fixture.newFolder("anonymous"));
    GitResult result =
        git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertFailure();
    assertTrue(
        result.stderr().contains("Authentication failed")
            || result.stderr().contains("could not read Username"),
        result.stderr());
  }

  @Test
  void expiredToken_unauthorizedWithReason() throws Exception {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC);
    String expired =
        new TokenMinter(fixture.server().config().tokens(), fixture.server().keys(), past)
            .mint("task-old", List.of(fetch(ALLOWED)), Duration.ofMinutes(30))
            .token();
    assertRejectedToken(expired, "expired");
  }

  @Test
  void wronglySignedToken_unauthorized() throws Exception {
    Path otherKey = fixture.newFolder("other-key").resolve("other.jwk");
    SigningKeys.generateFile(otherKey, JWSAlgorithm.EdDSA, Clock.systemUTC());
    String forged =
        new TokenMinter(
                fixture.server().config().tokens(),
                KeyRing.load(List.of(otherKey)),
                Clock.systemUTC())
            .mint("task-forged", List.of(fetch(ALLOWED)), Duration.ofMinutes(5))
            .token();
    assertRejectedToken(forged, "task token rejected");
  }

  @Test
  void wrongAudienceToken_unauthorized() {
    TokenSettings settings = fixture.server().config().tokens();
    TokenSettings otherAudience =
        new TokenSettings(
            settings.issuer(),
            "another-service",
            settings.keyFiles(),
            settings.maxTtl(),
            settings.clockSkew(),
            settings.maxTokenBytes(),
            settings.maxGrants());
    String token =
        new TokenMinter(otherAudience, fixture.server().keys(), Clock.systemUTC())
            .mint("task-aud", List.of(fetch(ALLOWED)), Duration.ofMinutes(5))
            .token();
    assertRejectedToken(token, "aud");
  }

  private static void assertRejectedToken(String token, String reasonFragment) {
    fixture.upstream().clearRequests();
    GitClient git = GitClient.in(fixture.newFolder("basic")).withCredential("agent", token);
    GitResult result = git.run("ls-remote", fixture.remote("owner/allowed.git")).assertFailure();
    assertTrue(result.stderr().contains(reasonFragment), result.stderr());
    assertTrue(result.stderr().contains("Authentication failed"), result.stderr());
    assertEquals(List.of(), fixture.upstream().requests());
  }
}
