package dev.gitward.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.gitward.testing.FakeGitHub.APP_ID;
import static dev.gitward.testing.FakeGitHub.INSTALLATION_ID;
import static dev.gitward.testing.FakeGitHub.TOKENS_PATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gitward.config.ConfigException;
import dev.gitward.config.CredentialSettings;
import dev.gitward.config.UpstreamSettings;
import dev.gitward.policy.RepositoryName;
import dev.gitward.testing.FakeGitHub;
import dev.gitward.testing.TestClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitHubAppCredential} against WireMock playing the GitHub REST API. */
class GitHubAppCredentialTest {
  private static final RepositoryName ALLOWED = new RepositoryName("github", "owner/allowed");
  private static final String TOKEN = "ghs_unitcanary0123456789";

  @TempDir static Path directory;
  private static FakeGitHub github;
  private static WireMockServer api;

  private TestClock clock;
  private GitHubAppCredential credential;

  @BeforeAll
  static void startApi() {
    github = FakeGitHub.start(directory);
    api = github.server();
  }

  @AfterAll
  static void stopApi() {
    github.close();
  }

  @BeforeEach
  void createCredential() throws Exception {
    api.resetAll();
    clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    credential = create(Optional.of(INSTALLATION_ID));
  }

  @AfterEach
  void closeCredential() {
    credential.close();
  }

  private GitHubAppCredential create(Optional<Long> installation) throws ConfigException {
    return create(installation, github.privateKeyFile());
  }

  private GitHubAppCredential create(Optional<Long> installation, Path key) throws ConfigException {
    CredentialSettings.GitHubApp app =
        new CredentialSettings.GitHubApp(APP_ID, key, installation, Duration.ofMillis(500));
    UpstreamSettings upstream =
        new UpstreamSettings(
            "github",
            URI.create("https://github.example.com"),
            Optional.of(URI.create(github.apiUrl() + "/api/v3/")),
            true,
            app,
            Set.of(),
            Optional.empty(),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5));
    return GitHubAppCredential.create("upstreams.github.credentials", upstream, app, clock);
  }

  private void stubToken(String contents, String token, Duration lifetime) {
    api.stubFor(
        post(urlEqualTo("/api/v3" + TOKENS_PATH))
            .withRequestBody(equalToJson(expectedBody(contents)))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        FakeGitHub.tokenJson(
                            token, clock.instant().plus(lifetime), contents, "allowed"))));
  }

  private void stubTokenAnswer(int status, String body) {
    api.stubFor(
        post(urlEqualTo("/api/v3" + TOKENS_PATH))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(body)));
  }

  private static String expectedBody(String contents) {
    return "{\"repositories\": [\"allowed\"], \"permissions\": {\"contents\": \""
        + contents
        + "\", \"metadata\": \"read\"}}";
  }

  private static String basic(String token) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
  }

  private static int tokenRequests() {
    return api.findAll(postRequestedFor(urlEqualTo("/api/v3" + TOKENS_PATH))).size();
  }

  private CredentialUnavailableException failure(boolean write) {
    return assertThrows(
        CredentialUnavailableException.class, () -> credential.authorization(ALLOWED, write));
  }

  @Test
  void fetch_mintsReadTokenForOneRepository() throws Exception {
    stubToken("read", TOKEN, Duration.ofHours(1));

    Optional<String> authorization = credential.authorization(ALLOWED, false);

    assertEquals(Optional.of(basic(TOKEN)), authorization);
    api.verify(
        1,
        postRequestedFor(urlEqualTo("/api/v3" + TOKENS_PATH))
            .withRequestBody(equalToJson(expectedBody("read")))
            .withHeader("Accept", equalTo("application/vnd.github+json"))
            .withHeader("X-GitHub-Api-Version", equalTo("2022-11-28"))
            .withHeader("User-Agent", equalTo("gitward"))
            .withHeader("Content-Type", equalTo("application/json")));
  }

  @Test
  void push_mintsWriteTokenWithoutWorkflows() throws Exception {
    stubToken("write", TOKEN, Duration.ofHours(1));

    assertEquals(Optional.of(basic(TOKEN)), credential.authorization(ALLOWED, true));

    LoggedRequest request =
        api.findAll(postRequestedFor(urlEqualTo("/api/v3" + TOKENS_PATH))).get(0);
    assertEquals(
        "{\"repositories\":[\"allowed\"],\"permissions\":{\"contents\":\"write\",\"metadata\":\"read\"}}",
        request.getBodyAsString());
    assertFalse(request.getBodyAsString().contains("workflows"));
  }

  @Test
  void appJwt_rs256ClaimsVerifyWithPublicKey() throws Exception {
    stubToken("read", TOKEN, Duration.ofHours(1));

    credential.authorization(ALLOWED, false);

    String header =
        api.findAll(postRequestedFor(urlEqualTo("/api/v3" + TOKENS_PATH)))
            .get(0)
            .getHeader("Authorization");
    assertTrue(header.startsWith("Bearer "), header.substring(0, 7));
    SignedJWT jwt = SignedJWT.parse(header.substring("Bearer ".length()));
    assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
    assertTrue(jwt.verify(new RSASSAVerifier(github.publicKey())));
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertEquals(Long.toString(APP_ID), claims.getIssuer());
    assertEquals(clock.instant().minusSeconds(60), claims.getIssueTime().toInstant());
    assertEquals(
        clock.instant().plus(Duration.ofMinutes(9)), claims.getExpirationTime().toInstant());
  }

  @Test
  void manyRequests_mintOnce() throws Exception {
    stubToken("read", TOKEN, Duration.ofHours(1));

    for (int i = 0; i < 20; i++) {
      assertEquals(Optional.of(basic(TOKEN)), credential.authorization(ALLOWED, false));
    }

    assertEquals(1, tokenRequests());
  }

  @Test
  void readAndWrite_cachedSeparately() throws Exception {
    stubToken("read", "ghs_read", Duration.ofHours(1));
    stubToken("write", "ghs_write", Duration.ofHours(1));

    assertEquals(Optional.of(basic("ghs_read")), credential.authorization(ALLOWED, false));
    assertEquals(Optional.of(basic("ghs_write")), credential.authorization(ALLOWED, true));
    assertEquals(Optional.of(basic("ghs_read")), credential.authorization(ALLOWED, false));

    assertEquals(2, tokenRequests());
  }

  @Test
  void cachedToken_refreshedTenMinutesBeforeExpiry() throws Exception {
    stubToken("read", "ghs_first", Duration.ofHours(1));
    credential.authorization(ALLOWED, false);

    clock.advance(Duration.ofMinutes(49));
    assertEquals(Optional.of(basic("ghs_first")), credential.authorization(ALLOWED, false));
    assertEquals(1, tokenRequests());

    stubToken("read", "ghs_second", Duration.ofHours(1));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(Optional.of(basic("ghs_second")), credential.authorization(ALLOWED, false));
    assertEquals(2, tokenRequests());
  }

  @Test
  void answersAtOnce_onlyWhileCachedTokenFresh() throws Exception {
    stubToken("read", TOKEN, Duration.ofHours(1));

    assertFalse(credential.answersAtOnce(ALLOWED, false));
    credential.authorization(ALLOWED, false);
    assertTrue(credential.answersAtOnce(ALLOWED, false));
    assertFalse(credential.answersAtOnce(ALLOWED, true));

    clock.advance(Duration.ofMinutes(48));
    assertTrue(credential.answersAtOnce(ALLOWED, false));
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertFalse(credential.answersAtOnce(ALLOWED, false));
    assertEquals(1, tokenRequests());
  }

  @Test
  void answersAtOnce_needsCachedInstallation() throws Exception {
    credential.close();
    credential = create(Optional.empty());

    assertFalse(credential.answersAtOnce(ALLOWED, false));
    assertFalse(credential.answersAtOnce(new RepositoryName("github", "a/b/c"), false));
  }

  @Test
  void installation_lookedUpOnceAndCached() throws Exception {
    credential.close();
    credential = create(Optional.empty());
    api.stubFor(
        get(urlEqualTo("/api/v3/repos/owner/allowed/installation"))
            .willReturn(okJson("{\"id\": " + INSTALLATION_ID + "}")));
    stubToken("read", TOKEN, Duration.ofHours(1));
    stubToken("write", TOKEN, Duration.ofHours(1));

    credential.authorization(ALLOWED, false);
    credential.authorization(new RepositoryName("github", "Owner/Allowed"), true);

    api.verify(1, getRequestedFor(urlEqualTo("/api/v3/repos/owner/allowed/installation")));
    assertEquals(2, tokenRequests());
  }

  @Test
  void installation_notFoundCachedBriefly() throws Exception {
    credential.close();
    credential = create(Optional.empty());
    api.stubFor(
        get(urlEqualTo("/api/v3/repos/owner/allowed/installation"))
            .willReturn(aResponse().withStatus(404).withBody("{\"message\": \"Not Found\"}")));

    CredentialUnavailableException first = failure(false);
    failure(false);
    assertEquals(
        "GitHub App 4242 is not installed on owner/allowed (expected: an installation that"
            + " includes the repository)",
        first.getMessage());
    assertFalse(first.temporary());
    api.verify(1, getRequestedFor(urlEqualTo("/api/v3/repos/owner/allowed/installation")));

    clock.advance(Duration.ofMinutes(2));
    failure(false);
    api.verify(2, getRequestedFor(urlEqualTo("/api/v3/repos/owner/allowed/installation")));
    assertEquals(0, tokenRequests());
  }

  @Test
  void nestedPath_rejectedWithoutApiCall() {
    CredentialUnavailableException error =
        assertThrows(
            CredentialUnavailableException.class,
            () -> credential.authorization(new RepositoryName("github", "a/b/c"), false));

    assertTrue(error.getMessage().contains("not an owner/name path"), error.getMessage());
    assertEquals(0, api.getAllServeEvents().size());
  }

  @Test
  void serverError_failsClosed() {
    stubTokenAnswer(500, "{\"message\": \"boom\"}");

    CredentialUnavailableException error = failure(false);

    assertEquals(
        "GitHub API POST /app/installations/777/access_tokens failed with HTTP 500",
        error.getMessage());
    assertFalse(error.temporary());
  }

  @Test
  void slowAnswer_timesOut() {
    api.stubFor(
        post(urlEqualTo("/api/v3" + TOKENS_PATH))
            .willReturn(
                okJson(
                        FakeGitHub.tokenJson(
                            TOKEN, clock.instant().plusSeconds(3600), "read", "allowed"))
                    .withFixedDelay(2000)));

    CredentialUnavailableException error = failure(false);

    assertEquals(
        "GitHub API POST /app/installations/777/access_tokens timed out after 500 ms",
        error.getMessage());
  }

  @Test
  void malformedAnswers_failClosed() {
    Instant expires = clock.instant().plusSeconds(3600);
    List<String[]> cases =
        List.of(
            new String[] {"{\"token\": \"" + TOKEN + "\", ", "invalid JSON"},
            new String[] {"[]", "no JSON object"},
            new String[] {"{\"expires_at\": \"" + expires + "\"}", "no token"},
            new String[] {"{\"token\": \"\"}", "a token of 0 characters"},
            new String[] {"{\"token\": \"" + TOKEN + "\"}", "no expires_at"},
            new String[] {
              "{\"token\": \"" + TOKEN + "\", \"expires_at\": \"tomorrow\"}",
              "not an ISO-8601 timestamp"
            },
            new String[] {
              FakeGitHub.tokenJson(TOKEN, clock.instant().minusSeconds(1), "read", "allowed"),
              "a token that expired"
            },
            new String[] {
              FakeGitHub.tokenJson(TOKEN, expires, "read", "allowed")
                  .replace(
                      "\"permissions\": {\"contents\": \"read\", \"metadata\": \"read\"}, ", ""),
              "no permissions"
            },
            new String[] {
              FakeGitHub.tokenJson(TOKEN, expires, "read", "allowed")
                  .replace(
                      ", \"repositories\": [{\"name\": \"allowed\", \"full_name\": \"owner/allowed\"}]",
                      ""),
              "no repositories"
            });
    for (String[] entry : cases) {
      stubTokenAnswer(201, entry[0]);

      CredentialUnavailableException error = failure(false);

      assertTrue(error.getMessage().contains(entry[1]), entry[1] + " in " + error.getMessage());
      assertFalse(error.getMessage().contains(TOKEN), error.getMessage());
    }
  }

  @Test
  void broaderGrant_rejected() {
    Instant expires = clock.instant().plusSeconds(3600);
    String exact = FakeGitHub.tokenJson(TOKEN, expires, "read", "allowed");
    List<String[]> cases =
        List.of(
            new String[] {
              exact.replace(
                  "\"metadata\": \"read\"", "\"metadata\": \"read\", \"workflows\": \"write\""),
              "granted permissions {contents=read, metadata=read, workflows=write}"
            },
            new String[] {
              FakeGitHub.tokenJson(TOKEN, expires, "write", "allowed"),
              "granted permissions {contents=write, metadata=read}"
            },
            new String[] {
              exact.replace("\"selected\"", "\"all\""), "granted repository_selection all"
            },
            new String[] {
              FakeGitHub.tokenJson(TOKEN, expires, "read", "allowed", "secret"),
              "granted repositories [allowed, secret] (expected: exactly [allowed])"
            },
            new String[] {
              FakeGitHub.tokenJson(TOKEN, expires, "read", "other"), "granted repositories [other]"
            });
    for (String[] entry : cases) {
      stubTokenAnswer(201, entry[0]);

      CredentialUnavailableException error = failure(false);

      assertTrue(error.getMessage().contains(entry[1]), entry[1] + " in " + error.getMessage());
    }
  }

  @Test
  void writeFailure_neverFallsBackToReadToken() throws Exception {
    stubToken("read", TOKEN, Duration.ofHours(1));
    credential.authorization(ALLOWED, false);
    api.stubFor(
        FakeGitHub.tokenRequest("write").atPriority(1).willReturn(aResponse().withStatus(502)));

    failure(true);
    assertEquals(Optional.of(basic(TOKEN)), credential.authorization(ALLOWED, false));
  }

  @Test
  void tooManyRequests_backsOffUntilRetryAfter() throws Exception {
    api.stubFor(
        post(urlEqualTo("/api/v3" + TOKENS_PATH))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));

    CredentialUnavailableException first = failure(false);
    clock.advance(Duration.ofSeconds(60));
    CredentialUnavailableException second = failure(true);

    Instant reset = clock.instant().plusSeconds(60);
    assertTrue(first.temporary());
    assertEquals(
        "rate limited by GitHub until " + reset + " (POST /app/installations/777/access_tokens)",
        first.getMessage());
    assertEquals("rate limited by GitHub until " + reset, second.getMessage());
    assertFalse(credential.isReady());
    assertEquals(1, tokenRequests());

    clock.advance(Duration.ofSeconds(61));
    stubToken("read", TOKEN, Duration.ofHours(1));
    assertTrue(credential.isReady());
    assertEquals(Optional.of(basic(TOKEN)), credential.authorization(ALLOWED, false));
  }

  @Test
  void forbiddenRateLimit_backsOffUntilReset() {
    Instant reset = clock.instant().plusSeconds(900);
    api.stubFor(
        post(urlEqualTo("/api/v3" + TOKENS_PATH))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("X-RateLimit-Remaining", "0")
                    .withHeader("X-RateLimit-Reset", Long.toString(reset.getEpochSecond()))));

    CredentialUnavailableException error = failure(false);
    clock.advance(Duration.ofMinutes(14));
    failure(false);

    assertTrue(
        error.getMessage().startsWith("rate limited by GitHub until " + reset), error.getMessage());
    assertEquals(1, tokenRequests());
    assertFalse(credential.isReady());
  }

  @Test
  void forbiddenWithoutRateLimit_notBackedOff() {
    stubTokenAnswer(403, "{\"message\": \"Resource not accessible by integration\"}");

    CredentialUnavailableException error = failure(false);
    failure(false);

    assertEquals(
        "GitHub API POST /app/installations/777/access_tokens failed with HTTP 403",
        error.getMessage());
    assertTrue(credential.isReady());
    assertEquals(2, tokenRequests());
  }

  @Test
  void pkcs8Key_accepted() throws Exception {
    Path pkcs8 = directory.resolve("pkcs8.pem");
    Files.writeString(
        pkcs8, FakeGitHub.pem("PRIVATE KEY", github.keys().getPrivate().getEncoded()));
    credential.close();
    credential = create(Optional.of(INSTALLATION_ID), pkcs8);
    stubToken("read", TOKEN, Duration.ofHours(1));

    credential.authorization(ALLOWED, false);

    String header =
        api.findAll(postRequestedFor(urlEqualTo("/api/v3" + TOKENS_PATH)))
            .get(0)
            .getHeader("Authorization");
    assertTrue(
        SignedJWT.parse(header.substring("Bearer ".length()))
            .verify(new RSASSAVerifier(github.publicKey())));
  }

  @Test
  void badKeys_rejectedAtStart() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    byte[] small = generator.generateKeyPair().getPrivate().getEncoded();
    List<String[]> cases =
        List.of(
            new String[] {"not a key\n", "is invalid: no PEM private key"},
            new String[] {
              "-----BEGIN RSA PRIVATE KEY-----\nQQ=Q\n-----END RSA PRIVATE KEY-----\n",
              "PEM body is not valid Base64"
            },
            new String[] {
              "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
              "not a valid RSA private key (InvalidKeySpecException)"
            },
            new String[] {FakeGitHub.pem("PRIVATE KEY", small), "RSA key of 1024 bits"},
            new String[] {FakeGitHub.pem("ENCRYPTED PRIVATE KEY", small), "encrypted private key"});
    for (String[] entry : cases) {
      Path file = directory.resolve("bad.pem");
      Files.writeString(file, entry[0]);

      ConfigException error =
          assertThrows(ConfigException.class, () -> create(Optional.empty(), file));

      assertTrue(error.getMessage().contains(entry[1]), entry[1] + " in " + error.getMessage());
      assertTrue(
          error.getMessage().startsWith("upstreams.github.credentials.private-key-file: "),
          error.getMessage());
    }
  }

  @Test
  void credentialTypes_maskSecretsInToString() throws Exception {
    InstallationToken token = new InstallationToken(TOKEN, clock.instant());
    String key = Files.readString(github.privateKeyFile());
    String keyBody = key.lines().skip(1).findFirst().orElseThrow();

    assertEquals("InstallationToken[****, expiresAt=" + clock.instant() + "]", token.toString());
    assertEquals("GitHubAppCredential[app 4242, ****]", credential.toString());
    assertFalse(credential.toString().contains(keyBody));
    assertFalse(GitHubAppKey.parse(APP_ID, key).toString().contains(keyBody));
    assertEquals("AnonymousCredential", new AnonymousCredential().toString());
    CredentialSettings.Static settings =
        new CredentialSettings.Static(
            CredentialSettings.Scheme.BASIC,
            "x-access-token",
            Optional.of("UPSTREAM_TOKEN"),
            Optional.empty());
    StaticCredential fixed =
        StaticCredential.load(
            "upstreams.github.credentials", settings, Map.of("UPSTREAM_TOKEN", TOKEN));
    assertEquals("StaticCredential[****]", fixed.toString());
  }

  @Test
  void requestBody_listsRepositoriesSorted() {
    TokenRequest request =
        new TokenRequest(
            1, new java.util.TreeSet<>(Set.of("Widgets", "api")), TokenRequest.Permission.WRITE);

    assertEquals(
        "{\"repositories\":[\"api\",\"widgets\"],"
            + "\"permissions\":{\"contents\":\"write\",\"metadata\":\"read\"}}",
        GitHubApi.requestBody(request));
    assertNotEquals(
        request, TokenRequest.of(1, "api", TokenRequest.Permission.WRITE), "scope is exact");
  }
}
