package dev.gitward.admin;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.Optional;

/**
 * Lets a request through to {@code next} only with exactly one {@code Authorization: Bearer
 * <secret>} header that matches the admin secret. Without a configured secret every request is
 * rejected, so an unconfigured admin API cannot mint.
 */
final class BearerAuthHandler implements HttpHandler {
  static final String CHALLENGE = "Bearer realm=\"gitward-admin\"";
  static final String DISABLED = "admin API disabled: set admin.token-file or admin.token-env";

  private static final String PREFIX = "Bearer ";

  private final Optional<AdminSecret> secret;
  private final HttpHandler next;

  BearerAuthHandler(Optional<AdminSecret> secret, HttpHandler next) {
    this.secret = secret;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    Optional<String> problem = check(exchange.getRequestHeaders().get(Headers.AUTHORIZATION));
    if (problem.isPresent()) {
      exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, CHALLENGE);
      JsonExchange.sendError(exchange, new ApiException(401, problem.get()));
      return;
    }
    next.handleRequest(exchange);
  }

  /** Returns why the request is not authorized, or empty when it is. */
  private Optional<String> check(HeaderValues authorization) {
    if (secret.isEmpty()) {
      return Optional.of(DISABLED);
    }
    if (authorization == null || authorization.isEmpty()) {
      return Optional.of("Authorization: missing (expected: Bearer <admin secret>)");
    }
    if (authorization.size() > 1) {
      return Optional.of(
          "Authorization: " + authorization.size() + " headers (expected: exactly one)");
    }
    String value = authorization.getFirst();
    if (!value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return Optional.of(
          "Authorization: not a Bearer credential (expected: Bearer <admin secret>)");
    }
    if (!secret.get().matches(value.substring(PREFIX.length()).strip())) {
      // The presented value is a near-miss credential, so the message never quotes it.
      return Optional.of("Authorization: wrong admin secret (expected: the configured secret)");
    }
    return Optional.empty();
  }
}
