package dev.gitward.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.gitward.testing.GitwardFixture.fetch;
import static dev.gitward.testing.GitwardFixture.refs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.Action;
import dev.gitward.testing.FakeGitHub;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitHttpBackend;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.LogCapture;
import dev.gitward.testing.TestRepositories;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two upstreams in one Gitward, each a real git http-backend that requires its own credential: a
 * static token on {@code local} and a GitHub App installation token, minted by a fake GitHub API,
 * on {@code hub}. The real git client clones and pushes through each.
 */
class UpstreamsEndToEndTest {
  private static final String STATIC_TOKEN = "static-canary-3b9f0e1d5a";
  private static final String MINTED_TOKEN = "ghs_mintcanary7c2a91e4f0";
  private static final String HUB = "hub";

  private static FakeGitHub github;
  private static GitHttpBackend hub;
  private static TestRepositories hubRepositories;
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    Path scratch = Files.createTempDirectory("gitward-upstreams");
    github = FakeGitHub.start(scratch);
    github.stubInstallation("owner", "allowed");
    Instant expiresAt = Instant.now().plusSeconds(3600);
    github.stubToken("read", MINTED_TOKEN, expiresAt, "allowed");
    github.stubToken("write", MINTED_TOKEN, expiresAt, "allowed");
    Path hubRoot = Files.createDirectories(scratch.resolve("hub"));
    hubRepositories = TestRepositories.in(hubRoot);
    hubRepositories.createAllowed();
    hub =
        GitHttpBackend.builder()
            .root(hubRoot)
            .requireBasicAuth("x-access-token", MINTED_TOKEN)
            .start();
    fixture =
        GitwardFixture.builder()
            .upstreamToken(STATIC_TOKEN)
            .otherUpstreamsYaml(
                "  "
                    + HUB
                    + ":\n    url: "
                    + hub.baseUrl()
                    + "\n    api-url: "
                    + github.apiUrl()
                    + "\n    case-insensitive: true\n"
                    + github.credentialsYaml(false))
            .start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
    hub.close();
    github.close();
  }

  private static String token() {
    List<dev.gitward.policy.Grant> grants = new ArrayList<>();
    for (String upstream : List.of(GitwardFixture.UPSTREAM, HUB)) {
      grants.add(fetch(upstream + "/owner/allowed"));
      grants.add(
          refs(upstream + "/owner/allowed", "refs/heads/agent/**", Action.CREATE, Action.UPDATE));
    }
    return fixture.mint("task-two-upstreams", grants);
  }

  private static String remote(String upstream) {
    return fixture.proxyUrl() + "/" + upstream + "/owner/allowed.git";
  }

  /**
   * Clones {@code upstream}'s repository, commits and pushes {@code branch}; returns the outputs.
   */
  private static List<GitResult> cloneAndPush(String upstream, String branch) throws Exception {
    GitClient git = fixture.git(fixture.newFolder("work"), token());
    List<GitResult> results = new ArrayList<>();
    results.add(git.run("clone", remote(upstream), "clone").assertSuccess());
    Path clone = git.workDir().resolve("clone");
    Files.writeString(clone.resolve(branch + ".txt"), branch + "\n");
    GitClient inClone = git.at(clone);
    results.add(inClone.run("add", ".").assertSuccess());
    results.add(
        inClone
            .run("-c", "user.name=Agent", "-c", "user.email=a@example.com", "commit", "-qm", branch)
            .assertSuccess());
    results.add(inClone.run("push", "origin", "HEAD:refs/heads/agent/" + branch).assertSuccess());
    results.add(inClone.run("fetch", "origin").assertSuccess());
    results.add(inClone.run("push", "origin", "HEAD:refs/heads/main").assertFailure());
    return results;
  }

  @Test
  void cloneAndPush_throughEachUpstream() throws Exception {
    cloneAndPush(GitwardFixture.UPSTREAM, "static-side");
    cloneAndPush(HUB, "app-side");

    assertTrue(
        fixture
            .repositories()
            .refs(fixture.allowedRepository())
            .containsKey("refs/heads/agent/static-side"));
    assertTrue(
        hubRepositories
            .refs(hubRepositories.path(TestRepositories.ALLOWED))
            .containsKey("refs/heads/agent/app-side"));
    github
        .server()
        .verify(
            postRequestedFor(urlEqualTo(FakeGitHub.TOKENS_PATH))
                .withRequestBody(equalToJson(body("read"))));
    github
        .server()
        .verify(
            postRequestedFor(urlEqualTo(FakeGitHub.TOKENS_PATH))
                .withRequestBody(equalToJson(body("write"))));
  }

  @Test
  void appUpstream_refusesGitWithoutGitward() {
    hub.clearRequests();

    GitClient.in(fixture.newFolder("direct"))
        .run("ls-remote", hub.url(TestRepositories.ALLOWED))
        .assertFailure();

    assertEquals(401, hub.requests().get(0).status());
  }

  @Test
  void canaryTokens_neverInLogsOrResponses() throws Exception {
    List<String> output = new ArrayList<>();
    List<String> logLines;
    try (LogCapture logs = LogCapture.start()) {
      for (String upstream : List.of(GitwardFixture.UPSTREAM, HUB)) {
        cloneAndPush(upstream, "canary-" + upstream)
            .forEach(result -> output.add(result.stdout() + result.stderr()));
        output.add(rawResponse(upstream, "/info/refs?service=git-upload-pack", token()));
        output.add(rawResponse(upstream, "/info/refs?service=git-receive-pack", token()));
        output.add(rawResponse(upstream, "/info/refs?service=git-upload-pack", "not-a-token"));
        output.add(rawResponse("nowhere", "/info/refs?service=git-upload-pack", token()));
      }
      logLines = logs.lines();
    }

    assertFalse(logLines.isEmpty(), "no log line was captured");
    List<String> secrets = new ArrayList<>(secretForms(STATIC_TOKEN));
    secrets.addAll(secretForms(MINTED_TOKEN));
    secrets.addAll(appJwts());
    secrets.add(
        Files.readAllLines(github.privateKeyFile()).get(1)); // a line of the app's private key
    for (String secret : secrets) {
      for (String line : logLines) {
        assertFalse(line.contains(secret), "log line carries a secret: " + line);
      }
      for (String text : output) {
        assertFalse(text.contains(secret), "output carries a secret: " + text);
      }
    }
  }

  private static List<String> secretForms(String token) {
    String basic =
        Base64.getEncoder()
            .encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
    return List.of(token, basic);
  }

  private static List<String> appJwts() {
    List<String> jwts =
        github.server().getAllServeEvents().stream()
            .map(event -> event.getRequest().getHeader("Authorization"))
            .map(header -> header.substring("Bearer ".length()))
            .toList();
    assertFalse(jwts.isEmpty(), "the fake GitHub API saw no app JWT");
    return jwts;
  }

  /** Returns the status line, headers and body that Gitward sent, as one text. */
  private static String rawResponse(String upstream, String suffix, String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(fixture.proxyUrl() + "/" + upstream + "/owner/allowed.git" + suffix))
            .header("Authorization", "Bearer " + token)
            .build();
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    return response.statusCode()
        + " "
        + response.headers().map()
        + "\n"
        + new String(response.body(), StandardCharsets.ISO_8859_1);
  }

  private static String body(String contents) {
    return "{\"repositories\": [\"allowed\"], \"permissions\": {\"contents\": \""
        + contents
        + "\", \"metadata\": \"read\"}}";
  }
}
