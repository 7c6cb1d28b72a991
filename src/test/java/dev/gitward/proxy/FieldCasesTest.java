package dev.gitward.proxy;

import static dev.gitward.testing.GitwardFixture.ALLOWED;
import static dev.gitward.testing.GitwardFixture.fetch;
import static dev.gitward.testing.GitwardFixture.refs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.UpstreamRequest;
import dev.gitward.testing.WorkTrees;
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

/**
 * Failures that real git proxies shipped, each driven with the real git client through Gitward to a
 * git http-backend that requires Gitward's own upstream credential.
 */
class FieldCasesTest {
  private static final String UPSTREAM_TOKEN = "upstream-canary-5f1d0c9e7b";
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fixture =
        GitwardFixture.builder()
            .upstreamToken(UPSTREAM_TOKEN)
            .upstreamYaml("    push-options: [ci.skip, reason]\n")
            .start();
    GitClient.in(fixture.allowedRepository())
        .run("config", "receive.advertisePushOptions", "true")
        .assertSuccess();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static GitClient git(String token) {
    return fixture.git(fixture.newFolder("work"), token);
  }

  private static Path cloneAllowed(GitClient git, String... options) {
    List<String> args = new java.util.ArrayList<>(List.of("clone"));
    args.addAll(List.of(options));
    args.addAll(List.of(fixture.remote("owner/allowed.git"), "clone"));
    git.run(args.toArray(String[]::new)).assertSuccess();
    return git.workDir().resolve("clone");
  }

  private static Map<String, String> upstreamRefs() {
    return fixture.repositories().refs(fixture.allowedRepository());
  }

  private static List<UpstreamRequest> upstreamPosts(String service) {
    return fixture.upstream().requests().stream()
        .filter(request -> request.method().equals("POST"))
        .filter(request -> request.path().endsWith("/" + service))
        .toList();
  }

  @Test
  void multiRefPush_everyRefChecked() throws Exception {
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git);
    WorkTrees.commitFile(git, clone, "f01.txt");
    for (boolean atomic : List.of(false, true)) {
      fixture.upstream().clearRequests();
      String branch = "refs/heads/agent/f01-" + atomic;
      List<String> args = new java.util.ArrayList<>(List.of("push"));
      if (atomic) {
        args.add("--atomic");
      }
      args.addAll(List.of("origin", "HEAD:" + branch, "HEAD:refs/heads/main"));
      GitResult result = git.at(clone).run(args.toArray(String[]::new)).assertFailure();
      assertEquals(1, result.exitCode());
      assertTrue(
          result
              .stderr()
              .contains(
                  "! [remote rejected] HEAD -> main (task task-t may not"
                      + " update refs/heads/main"),
          result.stderr());
      assertTrue(
          result
              .stderr()
              .contains(
                  "! [remote rejected] HEAD -> agent/f01-"
                      + atomic
                      + " (another ref of this push was denied"),
          result.stderr());
      assertEquals(List.of(), upstreamPosts("git-receive-pack"));
      assertFalse(upstreamRefs().containsKey(branch));
    }
    git.at(clone)
        .run("push", "origin", "HEAD:refs/heads/agent/f01-a", "HEAD:refs/heads/agent/f01-b")
        .assertSuccess();
    assertTrue(upstreamRefs().containsKey("refs/heads/agent/f01-a"));
    assertTrue(upstreamRefs().containsKey("refs/heads/agent/f01-b"));
  }

  @Test
  void largePush_probeThenChunkedBody() throws Exception {
    GitClient git = git(fixture.tokenT()).withConfig("http.postBuffer", "65536");
    Path clone = cloneAllowed(git);
    WorkTrees.commitRandomFile(git, clone, "f02.bin", 300 * 1024);
    fixture.upstream().clearRequests();
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/f02").assertSuccess();
    List<UpstreamRequest> posts = upstreamPosts("git-receive-pack");
    assertEquals(2, posts.size(), posts.toString());
    assertEquals(4, posts.get(0).bodyBytes());
    assertTrue(posts.get(1).bodyBytes() > 300 * 1024);
    String head = git.at(clone).run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    assertEquals(head, upstreamRefs().get("refs/heads/agent/f02"));
  }

  @Test
  void chunkedPush_fastForwardProvenFromSpilledPack() throws Exception {
    GitClient git = git(fixture.tokenT()).withConfig("http.postBuffer", "65536");
    Path clone = cloneAllowed(git);
    git.at(clone).run("checkout", "-q", "-b", "work", "origin/agent/base").assertSuccess();
    WorkTrees.commitRandomFile(git, clone, "f03.bin", 2 * 1024 * 1024);
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/f03").assertSuccess();
    WorkTrees.commitRandomFile(git, clone, "f03-more.bin", 1024 * 1024);
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/f03").assertSuccess();
    String head = git.at(clone).run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    assertEquals(head, upstreamRefs().get("refs/heads/agent/f03"));
  }

  @Test
  void gzipUploadPackRequest_cloneSucceeds() {
    Path tagged = fixture.repositories().createBare("owner/tagged.git");
    fixture.repositories().commitFiles(tagged, "main", Map.of("README", "tags\n"), "Start");
    fixture.repositories().createTags(tagged, 300);
    String token = fixture.mint("task-tags", List.of(fetch("local/owner/tagged")));
    for (String version : List.of("0", "2")) {
      fixture.upstream().clearRequests();
      GitClient git = git(token).withConfig("protocol.version", version);
      git.run("clone", fixture.remote("owner/tagged.git"), "clone").assertSuccess();
      git.at(git.workDir().resolve("clone")).run("fetch", "--tags", "origin").assertSuccess();
      for (UpstreamRequest post : upstreamPosts("git-upload-pack")) {
        assertEquals(
            java.util.Optional.empty(),
            post.header("Content-Encoding"),
            "upstream receives the inflated body without the header");
      }
    }
  }

  @Test
  void protocolV2_partialCloneWithLazyFetches() {
    fixture.upstream().clearRequests();
    GitClient git = git(fixture.tokenR()).withConfig("protocol.version", "2");
    Path clone = cloneAllowed(git, "--depth", "1", "--filter=blob:none");
    git.at(clone).run("log", "-p", "-1").assertSuccess();
    List<UpstreamRequest> requests = fixture.upstream().requests();
    assertTrue(requests.size() >= 3, requests.toString());
    for (UpstreamRequest request : requests) {
      assertEquals("version=2", request.header("Git-Protocol").orElse(""), request.toString());
    }
  }

  @Test
  void shallowClonePush_commandFoundAfterShallowLines() throws Exception {
    GitClient git = git(fixture.tokenT());
    Path clone = cloneAllowed(git, "--depth", "1");
    WorkTrees.commitFile(git, clone, "f07.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/f07").assertSuccess();
    String head = git.at(clone).run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    assertEquals(head, upstreamRefs().get("refs/heads/agent/f07"));
    String mainBefore = upstreamRefs().get("refs/heads/main");
    GitResult denied = git.at(clone).run("push", "origin", "HEAD:refs/heads/main").assertFailure();
    assertTrue(denied.stderr().contains("[remote rejected] HEAD -> main"), denied.stderr());
    assertEquals(mainBefore, upstreamRefs().get("refs/heads/main"));
  }

  @Test
  void pushesWithoutObjects_deleteAndEmptyPack() {
    String main = upstreamRefs().get("refs/heads/main");
    fixture.repositories().updateRef(fixture.allowedRepository(), "refs/heads/agent/f08", main);
    GitClient git = git(fixture.tokenT()).withTimeout(Duration.ofSeconds(30));
    Path clone = cloneAllowed(git);
    GitResult denied = git.at(clone).run("push", "origin", ":refs/heads/agent/f08").assertFailure();
    assertTrue(denied.stderr().contains("may not delete refs/heads/agent/f08"), denied.stderr());
    assertEquals(main, upstreamRefs().get("refs/heads/agent/f08"));

    String deleter =
        fixture.mint(
            "task-f08",
            List.of(
                fetch(ALLOWED),
                refs(ALLOWED, "refs/heads/agent/**", Action.CREATE, Action.DELETE)));
    GitClient deleting = fixture.git(clone, deleter).withTimeout(Duration.ofSeconds(30));
    deleting.run("push", "origin", ":refs/heads/agent/f08").assertSuccess();
    assertFalse(upstreamRefs().containsKey("refs/heads/agent/f08"));

    deleting.run("push", "origin", "origin/main:refs/heads/agent/same").assertSuccess();
    assertEquals(main, upstreamRefs().get("refs/heads/agent/same"));
  }

  @Test
  void pushOptions_listedForwardedUnlistedRejected() throws Exception {
    Path marker = fixture.newFolder("hook").resolve("options");
    fixture
        .repositories()
        .addPreReceiveHook(
            fixture.allowedRepository(),
            "#!/bin/sh\necho \"$GIT_PUSH_OPTION_COUNT\" > '" + marker + "'\ncat >/dev/null\n");
    try {
      GitClient git = git(fixture.tokenT());
      Path clone = cloneAllowed(git);
      WorkTrees.commitFile(git, clone, "f09.txt");
      git.at(clone)
          .run(
              "push",
              "-o",
              "ci.skip",
              "-o",
              "reason=agent run",
              "origin",
              "HEAD:refs/heads/agent/po")
          .assertSuccess();
      assertEquals("2", Files.readString(marker).strip());

      WorkTrees.commitFile(git, clone, "f09-more.txt");
      GitResult denied =
          git.at(clone)
              .run("push", "-o", "deploy=now", "origin", "HEAD:refs/heads/agent/po")
              .assertFailure();
      assertTrue(
          denied.stderr().contains("push option 'deploy=now' is not forwarded"), denied.stderr());
    } finally {
      fixture
          .repositories()
          .addPreReceiveHook(fixture.allowedRepository(), "#!/bin/sh\ncat >/dev/null\n");
    }
  }

  @Test
  void rejectedPush_reportInSideBandAfterWholeBodyRead() throws Exception {
    GitClient git = git(fixture.tokenT()).withConfig("http.postBuffer", "65536");
    Path clone = cloneAllowed(git);
    WorkTrees.commitRandomFile(git, clone, "f10.bin", 3 * 1024 * 1024);
    String mainBefore = upstreamRefs().get("refs/heads/main");
    GitResult result = git.at(clone).run("push", "origin", "HEAD:refs/heads/main").assertFailure();
    assertTrue(result.stderr().contains("remote: gitward rejected the push"), result.stderr());
    assertTrue(
        result.stderr().contains("! [remote rejected] HEAD -> main (task task-t"), result.stderr());
    assertFalse(result.stderr().contains("Broken pipe"), result.stderr());
    assertFalse(result.stderr().contains("bad band"), result.stderr());
    assertFalse(result.stderr().contains("Everything up-to-date"), result.stderr());
    assertEquals(mainBefore, upstreamRefs().get("refs/heads/main"));
  }

  @Test
  void deniedFetchAndPush_plainTextReasonNothingForwarded() throws Exception {
    fixture.upstream().clearRequests();
    GitResult clone =
        git(fixture.tokenT())
            .run("clone", fixture.remote("owner/secret.git"), "secret")
            .assertFailure();
    assertTrue(
        clone.stderr().contains("remote: gitward: task task-t has no grant for"), clone.stderr());

    GitClient reader = git(fixture.tokenR());
    Path work = cloneAllowed(reader);
    WorkTrees.commitFile(reader, work, "f11.txt");
    fixture.upstream().clearRequests();
    GitResult push =
        reader.at(work).run("push", "origin", "HEAD:refs/heads/agent/f11").assertFailure();
    assertTrue(
        push.stderr()
            .contains("remote: gitward: task task-r may not push to" + " local/owner/allowed"),
        push.stderr());
    assertEquals(List.of(), fixture.upstream().requests());
  }

  @Test
  void basicChallenge_helperAndUrlCredentials() {
    String token = fixture.tokenR();
    GitClient helper = GitClient.in(fixture.newFolder("helper")).withCredential("agent", token);
    helper.run("ls-remote", fixture.remote("owner/allowed.git")).assertSuccess();
    assertTrue(helper.credentialHelperActions().contains("get"));

    String withUser =
        fixture.remote("owner/allowed.git").replace("http://", "http://agent:" + token + "@");
    GitClient.in(fixture.newFolder("url")).run("ls-remote", withUser).assertSuccess();

    String expired =
        new dev.gitward.token.TokenMinter(
                fixture.server().config().tokens(),
                fixture.server().keys(),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC))
            .mint("task-old", List.of(fetch(ALLOWED)), Duration.ofMinutes(10))
            .token();
    GitClient stale = GitClient.in(fixture.newFolder("stale")).withCredential("agent", expired);
    GitResult failed = stale.run("ls-remote", fixture.remote("owner/allowed.git")).assertFailure();
    assertTrue(failed.stderr().contains("Authentication failed"), failed.stderr());
    assertTrue(failed.stderr().contains("expired"), failed.stderr());

    GitClient forbidden =
        GitClient.in(fixture.newFolder("forbidden")).withCredential("agent", token);
    GitResult denied =
        forbidden.run("ls-remote", fixture.remote("owner/secret.git")).assertFailure();
    assertTrue(denied.stderr().contains("has no grant for local/owner/secret"), denied.stderr());
    assertFalse(
        forbidden.credentialHelperActions().contains("erase"),
        "a 403 keeps the helper's credential: " + forbidden.credentialHelperActions());
  }

  @Test
  void credentials_duplicateRejectedUpstreamSeesOnlyItsOwn() throws Exception {
    String token = fixture.tokenT();
    fixture.upstream().clearRequests();
    GitClient twice =
        GitClient.in(fixture.newFolder("twice"))
            .withConfig("http.extraHeader", "Authorization: Bearer " + token)
            .withConfig("http.extraHeader", "Authorization: Bearer " + token);
    GitResult result = twice.run("ls-remote", fixture.remote("owner/allowed.git")).assertFailure();
    assertTrue(result.stderr().contains("2 Authorization headers"), result.stderr());
    assertEquals(List.of(), fixture.upstream().requests());

    GitClient git =
        git(token)
            .withConfig("http.extraHeader", "Cookie: session=client-cookie")
            .withConfig("http.extraHeader", "Proxy-Authorization: Basic Y2xpZW50OnNlY3JldA==");
    Path clone = cloneAllowed(git);
    WorkTrees.commitFile(git, clone, "f13.txt");
    git.at(clone).run("push", "origin", "HEAD:refs/heads/agent/f13").assertSuccess();
    String expected =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(("x-access-token:" + UPSTREAM_TOKEN).getBytes());
    List<UpstreamRequest> requests = fixture.upstream().requests();
    assertFalse(requests.isEmpty());
    for (UpstreamRequest request : requests) {
      assertEquals(List.of(expected), request.headerValues("Authorization"), request.toString());
      assertEquals(List.of(), request.headerValues("Cookie"));
      assertEquals(List.of(), request.headerValues("Proxy-Authorization"));
      assertFalse(request.toString().contains(token), "task token reached the upstream");
      assertFalse(request.query() != null && request.query().contains(token));
    }
  }
}
