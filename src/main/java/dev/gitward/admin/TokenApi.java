package dev.gitward.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gitward.config.GitwardConfig;
import dev.gitward.policy.Grant;
import dev.gitward.token.KeyRing;
import dev.gitward.token.MintedToken;
import dev.gitward.token.RevocationList;
import dev.gitward.token.RevocationUnavailableException;
import dev.gitward.token.TokenMinter;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token routes of the admin listener: {@code POST /v1/tokens} mints, {@code POST
 * /v1/revocations} revokes, both behind the admin bearer secret, and {@code GET
 * /.well-known/jwks.json} publishes the public keys without authentication.
 */
public final class TokenApi {
  private static final Logger log = LoggerFactory.getLogger(TokenApi.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final GitwardConfig config;
  private final TokenMinter minter;
  private final KeyRing keys;
  private final RevocationList revocations;
  private final Clock clock;

  private TokenApi(
      GitwardConfig config,
      TokenMinter minter,
      KeyRing keys,
      RevocationList revocations,
      Clock clock) {
    this.config = config;
    this.minter = minter;
    this.keys = keys;
    this.revocations = revocations;
    this.clock = clock;
  }

  /**
   * Adds the token routes to the admin listener's {@code routes}. Without {@code secret}, minting
   * and revocation return 401, and a WARN at start names the settings that enable them.
   */
  public static void register(
      RoutingHandler routes,
      GitwardConfig config,
      TokenMinter minter,
      KeyRing keys,
      RevocationList revocations,
      Clock clock,
      Optional<AdminSecret> secret) {
    TokenApi api = new TokenApi(config, minter, keys, revocations, clock);
    if (secret.isEmpty()) {
      log.warn("{}; minting and revocation return 401", BearerAuthHandler.DISABLED);
    }
    routes.post("/v1/tokens", authorized(secret, api::mint));
    routes.post("/v1/revocations", authorized(secret, api::revoke));
    routes.get("/.well-known/jwks.json", api::jwks);
  }

  /** A JSON route body that may reject the request. */
  @FunctionalInterface
  private interface Route {
    void handle(HttpServerExchange exchange) throws ApiException, IOException;
  }

  private static HttpHandler authorized(Optional<AdminSecret> secret, Route route) {
    HttpHandler handler =
        exchange -> {
          try {
            route.handle(exchange);
          } catch (ApiException e) {
            JsonExchange.sendError(exchange, e);
          } catch (IOException e) {
            log.info("admin request failed while reading the body: {}", e.getClass().getName());
            JsonExchange.sendError(
                exchange, ApiException.badRequest("body: unreadable (expected: a complete body)"));
          }
        };
    return new BlockingHandler(new BearerAuthHandler(secret, handler));
  }

  private void mint(HttpServerExchange exchange) throws ApiException, IOException {
    MintRequest request = MintRequest.read(JsonExchange.readObject(exchange), config);
    MintedToken minted;
    try {
      minted = minter.mint(request.task(), request.grants(), request.ttl());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    log.info(
        "minted token {} for task {} with grants [{}], expires {}",
        minted.tokenId(),
        minted.task(),
        request.grants().stream().map(TokenApi::summary).collect(Collectors.joining("; ")),
        minted.expiresAt());
    JsonExchange.send(exchange, 201, mintResponse(minted, request));
  }

  private static String summary(Grant grant) {
    return grant.repository() + ": " + grant.describe();
  }

  private ObjectNode mintResponse(MintedToken minted, MintRequest request) {
    ObjectNode body = NODES.objectNode();
    body.put("token", minted.token());
    body.put("token_id", minted.tokenId());
    body.put("task", minted.task());
    body.put("expires_at", minted.expiresAt().toString());
    ArrayNode lines = body.putArray("git_config");
    SandboxGitConfig.lines(config, request.grants(), minted.token()).forEach(lines::add);
    body.put(
        "git_credential_helper", SandboxGitConfig.credentialHelperLine(config, minted.token()));
    return body;
  }

  private void revoke(HttpServerExchange exchange) throws ApiException, IOException {
    RevocationRequest request = RevocationRequest.read(JsonExchange.readObject(exchange));
    // The token's exp is unknown here, so the entry lasts as long as any token issued now could.
    Instant until = RevocationList.latestValidity(config.tokens(), clock.instant());
    try {
      if (request.isTask()) {
        revocations.revokeTask(request.value(), until);
      } else {
        revocations.revokeTokenId(request.value(), until);
      }
    } catch (RevocationUnavailableException e) {
      log.warn("revocation of {} {} failed: {}", request.member(), request.value(), e.getMessage());
      throw new ApiException(
          503, "revocations: " + e.getMessage() + " (expected: retry when the store is reachable)");
    }
    log.info("revoked {} {} until {}", request.member(), request.value(), until);
    ObjectNode body = NODES.objectNode();
    body.put(request.member(), request.value());
    body.put("until", until.toString());
    JsonExchange.send(exchange, 200, body);
  }

  private void jwks(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/jwk-set+json");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "max-age=60");
    // JWKSet.toString() writes public parameters only.
    exchange.getResponseSender().send(keys.publicJwks().toString() + "\n", StandardCharsets.UTF_8);
  }
}
