package dev.gitward.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.gitward.testing.FakeGitHub;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A GitHub App upstream whose token endpoint fails: Gitward responds with a reason, logs a warning
 * with the request id, and sends nothing to the git host.
 */
class GitHubAppFailureTest {
  private static final String TOKEN = "ghs_failcanary0a1b2c3d4e";
  private static final String PREFIX = "gitward: no upstream credential for local/owner/allowed: ";

  private FakeGitHub github;
  private GitwardFixture fixture;

  @BeforeEach
  void start() throws Exception {
    Path scratch = Files.createTempDirectory("gitward-app-failure");
    github = FakeGitHub.start(scratch);
    fixture =
        GitwardFixture.builder()
            .requireUpstreamBasic("x-access-token", TOKEN)
            .credentialsYaml(github.credentialsYaml(true))
            .upstreamYaml("    api-url: " + github.apiUrl() + "\n")
            .start();
  }

  @AfterEach
  void stop() {
    fixture.close();
    github.close();
  }

  private void answerTokenRequests(ResponseDefinitionBuilder answer) {
    github.server().resetAll();
    github.server().stubFor(post(urlEqualTo(FakeGitHub.TOKENS_PATH)).willReturn(answer));
  }

  private HttpResponse<String> infoRefs() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(fixture.remote("owner/allowed.git/info/refs?service=git-upload-pack")))
            .header("Authorization", "Bearer " + fixture.tokenT())
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void apiFailures_rejectedWithReason() throws Exception {
    String expires = Instant.now().plusSeconds(3600).toString();
    String operator = "; the operator must check upstreams.local\n";
    String call = "GitHub API POST /app/installations/777/access_tokens ";
    Map<String, ResponseDefinitionBuilder> cases = new LinkedHashMap<>();
    cases.put(call + "failed with HTTP 500" + operator, aResponse().withStatus(500));
    cases.put(
        call + "timed out after 1000 ms" + operator,
        aResponse().withStatus(201).withBody("{}").withFixedDelay(3000));
    cases.put(
        call + "returned invalid JSON (expected: the documented JSON response)" + operator,
        aResponse().withStatus(201).withBody("{\"token\": \"" + TOKEN + "\""));
    cases.put(
        call + "returned no token (expected: the documented JSON response)" + operator,
        aResponse().withStatus(201).withBody("{\"expires_at\": \"" + expires + "\"}"));
    cases.put(
        call + "returned no expires_at (expected: the documented JSON response)" + operator,
        aResponse().withStatus(201).withBody("{\"token\": \"" + TOKEN + "\"}"));
    cases.put(
        call + "granted repositories [allowed, secret] (expected: exactly [allowed])" + operator,
        aResponse()
            .withStatus(201)
            .withBody(
                FakeGitHub.tokenJson(TOKEN, Instant.parse(expires), "read", "allowed", "secret")));
    for (Map.Entry<String, ResponseDefinitionBuilder> entry : cases.entrySet()) {
      answerTokenRequests(entry.getValue());
      fixture.upstream().clearRequests();

      try (LogCapture logs = LogCapture.start()) {
        HttpResponse<String> response = infoRefs();

        assertEquals(502, response.statusCode(), entry.getKey());
        assertEquals(PREFIX + entry.getKey(), response.body());
        assertEquals(
            "text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        List<String> warnings = logs.lines(Level.WARN);
        assertTrue(
            warnings.stream().anyMatch(line -> line.contains("request " + requestId)),
            "no WARN with request " + requestId + " in " + warnings);
      }
      assertEquals(List.of(), fixture.upstream().requests(), entry.getKey());
    }
  }

  @Test
  void rateLimit_answers503UntilReset() throws Exception {
    answerTokenRequests(aResponse().withStatus(429).withHeader("Retry-After", "600"));

    HttpResponse<String> first = infoRefs();
    HttpResponse<String> second = infoRefs();

    assertEquals(503, first.statusCode());
    assertTrue(first.body().startsWith(PREFIX + "rate limited by GitHub until "), first.body());
    assertTrue(first.body().endsWith("; try again later\n"), first.body());
    assertEquals(503, second.statusCode());
    assertEquals(1, github.server().getAllServeEvents().size());
    assertEquals(List.of(), fixture.upstream().requests());
  }

  @Test
  void gitClone_printsReason() throws Exception {
    answerTokenRequests(aResponse().withStatus(500));

    GitResult clone =
        fixture
            .git(fixture.newFolder("work"), fixture.tokenT())
            .run("clone", fixture.remote("owner/allowed.git"), "clone")
            .assertFailure();

    assertTrue(clone.stderr().contains("failed with HTTP 500"), clone.stderr());
    assertTrue(clone.stderr().contains("502"), clone.stderr());
  }
}
