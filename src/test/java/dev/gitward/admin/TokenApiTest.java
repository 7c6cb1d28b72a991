package dev.gitward.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSObject;
import dev.gitward.testing.AdminClient;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API over HTTP, with the real git client using what it mints. */
class TokenApiTest {
  private static final String SECRET = "admin-secret-0123456789abcdef";
  private static final String FETCH_ALLOWED =
      "[{\"repo\": \"local/owner/allowed\", \"actions\": [\"fetch\"]}]";

  private static GitwardFixture fixture;
  private static AdminClient admin;

  @BeforeAll
  static void start() {
    fixture = GitwardFixture.builder().adminSecret(SECRET).start();
    admin = new AdminClient(fixture.adminUrl(), SECRET);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** Runs ls-remote with the token as Basic password, the form in which git shows a 401 reason. */
  private static GitResult lsRemote(String token) {
    GitClient git = GitClient.in(fixture.newFolder("work")).withCredential("agent", token);
    return git.run("ls-remote", fixture.remote("owner/allowed.git"));
  }

  private static JsonNode assertError(HttpResponse<String> response, int status, String field) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = AdminClient.json(response);
    assertEquals(field, body.path("error").path("field").asText(), response.body());
    return body;
  }

  @Test
  void mint_returnsTokenThatGitCanUse() throws Exception {
    HttpResponse<String> response =
        admin.post(
            "/v1/tokens",
            "{\"task\": \"task-mint\", \"grants\": " + FETCH_ALLOWED + ", \"ttl\": \"5m\"}");

    assertEquals(201, response.statusCode(), response.body());
    JsonNode body = AdminClient.json(response);
    String token = body.path("token").asText();
    assertEquals("task-mint", body.path("task").asText());
    assertEquals(
        JWSObject.parse(token).getPayload().toJSONObject().get("jti"),
        body.path("token_id").asText());
    Instant expiresAt = Instant.parse(body.path("expires_at").asText());
    assertTrue(expiresAt.isAfter(Instant.now().plus(Duration.ofMinutes(4))), expiresAt.toString());
    assertTrue(expiresAt.isBefore(Instant.now().plus(Duration.ofMinutes(6))), expiresAt.toString());
    assertTrue(body.path("git_config").toString().contains("extraHeader"), response.body());
    assertTrue(body.path("git_credential_helper").asText().contains(token), response.body());
    GitResult refs = lsRemote(token).assertSuccess();
    assertTrue(refs.stdout().contains("refs/heads/main"), refs.stdout());
  }

  @Test
  void mint_usesSigningKeyOfRing() throws Exception {
    String token = admin.mint("task-kid", FETCH_ALLOWED).path("token").asText();
    assertEquals(
        fixture.server().keys().signingKeyId(), JWSObject.parse(token).getHeader().getKeyID());
  }

  @Test
  void mint_withoutOrWithWrongSecret_unauthorized() {
    for (String secret : new String[] {"", "wrong-secret-0123456789abcdef"}) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(fixture.adminUrl() + "/v1/tokens"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{}"));
      if (!secret.isEmpty()) {
        request.header("Authorization", "Bearer " + secret);
      }
      HttpResponse<String> response = AdminClient.send(request.build());
      assertError(response, 401, "Authorization");
      assertEquals(
          "Bearer realm=\"gitward-admin\"",
          response.headers().firstValue("WWW-Authenticate").orElse(""));
      assertFalse(response.body().contains(SECRET), response.body());
    }
  }

  @Test
  void mint_unknownAction_badRequestNamesField() {
    HttpResponse<String> response =
        admin.post(
            "/v1/tokens",
            "{\"task\": \"t\", \"grants\": [{\"repo\": \"local/owner/allowed\","
                + " \"actions\": [\"push\"]}]}");
    JsonNode body = assertError(response, 400, "grants[0].actions");
    assertTrue(body.path("error").path("value").asText().contains("push"), response.body());
    assertTrue(body.path("error").path("expected").asText().contains("fetch"), response.body());
  }

  @Test
  void mint_unknownUpstream_badRequest() {
    HttpResponse<String> response =
        admin.post(
            "/v1/tokens",
            "{\"task\": \"t\", \"grants\": [{\"repo\": \"github.com/acme/widgets\","
                + " \"actions\": [\"fetch\"]}]}");
    JsonNode body = assertError(response, 400, "grants[0].repo");
    assertTrue(body.path("error").path("expected").asText().contains("local"), response.body());
  }

  @Test
  void mint_ttlAboveMax_badRequestNamesMax() {
    HttpResponse<String> response =
        admin.post(
            "/v1/tokens", "{\"task\": \"t\", \"grants\": " + FETCH_ALLOWED + ", \"ttl\": \"2h\"}");
    JsonNode body = assertError(response, 400, "ttl");
    assertTrue(body.path("message").asText().contains("3600s"), response.body());
    assertTrue(body.path("message").asText().contains("tokens.max-ttl"), response.body());
  }

  @Test
  void mint_duplicateOrUnknownMember_badRequest() {
    assertError(
        admin.post(
            "/v1/tokens", "{\"task\": \"a\", \"task\": \"b\", \"grants\": " + FETCH_ALLOWED + "}"),
        400,
        "body");
    assertError(
        admin.post(
            "/v1/tokens", "{\"task\": \"a\", \"grants\": " + FETCH_ALLOWED + ", \"admin\": true}"),
        400,
        "admin");
    assertError(admin.post("/v1/tokens", "{\"task\": \"a\"}"), 400, "grants");
    assertError(admin.post("/v1/tokens", "[1]"), 400, "body");
  }

  @Test
  void mint_bodyOver64KiB_rejected() {
    String padding = "x".repeat(JsonExchange.MAX_BODY_BYTES);
    HttpResponse<String> response =
        admin.post("/v1/tokens", "{\"task\": \"" + padding + "\", \"grants\": []}");
    assertError(response, 413, "body");
  }

  @Test
  void jwks_publicKeysOnlyWithoutAuth() {
    HttpResponse<String> response = admin.get("/.well-known/jwks.json");
    assertEquals(200, response.statusCode());
    JsonNode keys = AdminClient.json(response).path("keys");
    assertEquals(1, keys.size(), response.body());
    assertEquals(fixture.server().keys().signingKeyId(), keys.get(0).path("kid").asText());
    assertTrue(keys.get(0).has("x"), response.body());
    assertFalse(keys.get(0).has("d"), response.body());
  }

  @Test
  void revokeTokenId_gitRejectsCachedTokenAtOnce() {
    JsonNode minted = admin.mint("task-revoke-jti", FETCH_ALLOWED);
    String token = minted.path("token").asText();
    lsRemote(token).assertSuccess();

    HttpResponse<String> response =
        admin.post(
            "/v1/revocations", "{\"token_id\": \"" + minted.path("token_id").asText() + "\"}");
    // The very next request is rejected, although the verification of the token is cached.
    GitResult denied = lsRemote(token).assertFailure();

    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = AdminClient.json(response);
    assertEquals(minted.path("token_id").asText(), body.path("token_id").asText());
    Instant until = Instant.parse(body.path("until").asText());
    assertTrue(until.isAfter(Instant.now().plus(Duration.ofMinutes(59))), until.toString());
    assertTrue(denied.stderr().contains("is revoked"), denied.stderr());
    assertTrue(denied.stderr().contains("Authentication failed"), denied.stderr());
  }

  @Test
  void revokeTask_rejectsEveryTokenOfTask() {
    String first = admin.mint("task-revoke-all", FETCH_ALLOWED).path("token").asText();
    String second = admin.mint("task-revoke-all", FETCH_ALLOWED).path("token").asText();
    String other = admin.mint("task-kept", FETCH_ALLOWED).path("token").asText();
    lsRemote(first).assertSuccess();

    HttpResponse<String> response =
        admin.post("/v1/revocations", "{\"task\": \"task-revoke-all\"}");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("task-revoke-all", AdminClient.json(response).path("task").asText());
    assertTrue(lsRemote(first).assertFailure().stderr().contains("is revoked"));
    assertTrue(lsRemote(second).assertFailure().stderr().contains("is revoked"));
    lsRemote(other).assertSuccess();
  }

  @Test
  void revoke_needsExactlyOneId() {
    assertError(admin.post("/v1/revocations", "{}"), 400, "body");
    assertError(
        admin.post("/v1/revocations", "{\"task\": \"a\", \"token_id\": \"b\"}"), 400, "body");
    assertError(admin.post("/v1/revocations", "{\"task\": \"\"}"), 400, "task");
    assertError(admin.post("/v1/revocations", "{\"jti\": \"a\"}"), 400, "jti");
  }

  @Test
  void proxyListener_doesNotServeAdminRoutes() {
    AdminClient proxy = new AdminClient(fixture.proxyUrl(), SECRET);
    HttpResponse<String> mint =
        proxy.post("/v1/tokens", "{\"task\": \"t\", \"grants\": " + FETCH_ALLOWED + "}");
    HttpResponse<String> jwks = proxy.get("/.well-known/jwks.json");

    assertTrue(mint.statusCode() >= 400 && mint.statusCode() < 500, mint.toString());
    assertFalse(mint.body().contains("token_id"), mint.body());
    assertTrue(jwks.statusCode() >= 400 && jwks.statusCode() < 500, jwks.toString());
    assertFalse(jwks.body().contains("\"keys\""), jwks.body());
  }

  @Test
  void adminWithoutSecret_rejectsMinting() {
    try (GitwardFixture open = GitwardFixture.start()) {
      HttpResponse<String> response =
          new AdminClient(open.adminUrl(), SECRET)
              .post("/v1/tokens", "{\"task\": \"t\", \"grants\": " + FETCH_ALLOWED + "}");
      JsonNode body = AdminClient.json(response);
      assertEquals(401, response.statusCode());
      assertEquals(BearerAuthHandler.DISABLED, body.path("message").asText());
    }
  }
}
