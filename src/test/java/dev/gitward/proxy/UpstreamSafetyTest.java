package dev.gitward.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.gitward.testing.GitwardFixture.fetch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No upstream response carries Gitward's credential further: redirects are not followed, cookies
 * and challenges are dropped, and a refused credential becomes a 502.
 */
class UpstreamSafetyTest {
  private static final String RIGHT_TOKEN = "right-canary-8d7e6f5a4b";
  private static final String WRONG_TOKEN = "wrong-canary-1a2b3c4d5e";
  private static final String FAKE_TOKEN = "fake-canary-9f8e7d6c5b";

  private static WireMockServer fake;
  private static WireMockServer target;
  private static GitwardFixture fixture;

  @BeforeAll
  static void start() {
    fake = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    target = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    fake.start();
    target.start();
    fixture =
        GitwardFixture.builder()
            .requireUpstreamBasic("x-access-token", RIGHT_TOKEN)
            .credentialsYaml(staticCredentials("LOCAL_TOKEN"))
            .otherUpstreamsYaml(
                "  fake:\n    url: " + fake.baseUrl() + "\n" + staticCredentials("FAKE_TOKEN"))
            .environment("LOCAL_TOKEN", WRONG_TOKEN)
            .environment("FAKE_TOKEN", FAKE_TOKEN)
            .start();
  }

  private static String staticCredentials(String variable) {
    return "    credentials:\n      type: static\n      username: x-access-token\n"
        + "      token-env: "
        + variable
        + "\n";
  }

  @AfterAll
  static void stop() {
    fixture.close();
    fake.stop();
    target.stop();
  }

  @BeforeEach
  void reset() {
    fake.resetAll();
    target.resetAll();
  }

  private static String token() {
    return fixture.mint(
        "task-safety", List.of(fetch("fake/owner/allowed"), fetch(GitwardFixture.ALLOWED)));
  }

  private static HttpResponse<String> infoRefs(String upstream) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    fixture.proxyUrl()
                        + "/"
                        + upstream
                        + "/owner/allowed.git/info/refs?service=git-upload-pack"))
            .header("Authorization", "Bearer " + token())
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void redirect_notFollowed() throws Exception {
    fake.stubFor(
        any(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(302)
                    .withHeader("Location", target.baseUrl() + "/owner/allowed.git/info/refs")));

    HttpResponse<String> response = infoRefs("fake");
    GitResult clone =
        fixture
            .git(fixture.newFolder("work"), token())
            .run("clone", fixture.proxyUrl() + "/fake/owner/allowed.git", "clone")
            .assertFailure();

    assertEquals(502, response.statusCode());
    assertEquals(
        "gitward: upstream fake redirected the request for owner/allowed (HTTP 302); Gitward"
            + " never follows redirects, so check upstreams.fake.url\n",
        response.body());
    assertEquals(Optional.empty(), response.headers().firstValue("Location"));
    assertTrue(clone.stderr().contains("redirected the request"), clone.stderr());
    assertTrue(clone.stderr().contains("502"), clone.stderr());
    assertEquals(0, target.getAllServeEvents().size(), "the redirect target was contacted");
  }

  @Test
  void cookiesAndChallenge_dropped() throws Exception {
    fake.stubFor(
        any(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-git-upload-pack-advertisement")
                    .withHeader("Set-Cookie", "session=upstream-secret")
                    .withHeader("WWW-Authenticate", "Basic realm=\"upstream\"")
                    .withHeader("Location", "http://127.0.0.1:1/elsewhere")
                    .withHeader("X-Upstream-Debug", "internal")
                    .withBody("001e# service=git-upload-pack\n0000")));

    HttpResponse<String> response = infoRefs("fake");

    assertEquals(200, response.statusCode());
    for (String header :
        List.of("Set-Cookie", "WWW-Authenticate", "Location", "X-Upstream-Debug")) {
      assertEquals(Optional.empty(), response.headers().firstValue(header), header);
    }
    assertEquals(
        "application/x-git-upload-pack-advertisement",
        response.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void upstreamChallenge_becomes502WithoutChallenge() throws Exception {
    fake.stubFor(
        any(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Basic realm=\"upstream\"")
                    .withHeader("Set-Cookie", "session=upstream-secret")));

    HttpResponse<String> response = infoRefs("fake");

    assertEquals(502, response.statusCode());
    assertEquals(Optional.empty(), response.headers().firstValue("WWW-Authenticate"));
    assertEquals(Optional.empty(), response.headers().firstValue("Set-Cookie"));
  }

  @Test
  void wrongStaticToken_answers502NamingUpstream() throws Exception {
    HttpResponse<String> response = infoRefs(GitwardFixture.UPSTREAM);
    GitResult clone =
        fixture
            .git(fixture.newFolder("work"), token())
            .run("clone", fixture.remote("owner/allowed.git"), "clone")
            .assertFailure();

    assertEquals(502, response.statusCode());
    assertEquals(
        "gitward: upstream local refused Gitward's credential for owner/allowed (HTTP 401); the"
            + " operator must check the credentials of upstreams.local\n",
        response.body());
    assertEquals(Optional.empty(), response.headers().firstValue("WWW-Authenticate"));
    assertTrue(clone.stderr().contains("refused Gitward's credential"), clone.stderr());
    assertTrue(!clone.stderr().contains(WRONG_TOKEN), clone.stderr());
  }
}
