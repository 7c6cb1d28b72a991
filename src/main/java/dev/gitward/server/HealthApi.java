package dev.gitward.server;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gitward.audit.AuditLog;
import dev.gitward.metrics.GitwardMeters;
import dev.gitward.token.KeyRing;
import dev.gitward.token.RevocationList;
import dev.gitward.upstream.Upstream;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The health, readiness and metrics routes of the admin listener. They need no admin credential,
 * because they reveal no secret and the admin listener is bound to loopback by default.
 */
final class HealthApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HealthApi() {}

  /** One readiness check and its result. */
  @JsonPropertyOrder({"name", "ok", "detail"})
  record Check(String name, boolean ok, String detail) {}

  /** The {@code /readyz} body. */
  @JsonPropertyOrder({"ready", "checks"})
  record Readiness(boolean ready, List<Check> checks) {}

  /** Adds {@code /healthz}, {@code /readyz} and {@code /metrics} to the admin {@code routes}. */
  static void register(
      RoutingHandler routes,
      KeyRing keys,
      AuditLog audit,
      Map<String, Upstream> upstreams,
      GitwardMeters meters,
      RevocationList revocations) {
    routes.get(
        "/healthz",
        exchange -> {
          exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
          exchange.getResponseSender().send("ok\n");
        });
    routes.get(
        "/readyz", blocking(exchange -> ready(exchange, keys, audit, upstreams, revocations)));
    routes.get(
        "/metrics",
        blocking(
            exchange -> {
              exchange
                  .getResponseHeaders()
                  .put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
              exchange.getResponseSender().send(meters.scrape());
            }));
  }

  private static void ready(
      HttpServerExchange exchange,
      KeyRing keys,
      AuditLog audit,
      Map<String, Upstream> upstreams,
      RevocationList revocations)
      throws JsonProcessingException {
    Readiness readiness = check(keys, audit, upstreams, revocations);
    exchange.setStatusCode(readiness.ready() ? 200 : 503);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(JSON.writeValueAsString(readiness) + "\n");
  }

  /** Runs every readiness check. */
  static Readiness check(
      KeyRing keys, AuditLog audit, Map<String, Upstream> upstreams, RevocationList revocations) {
    List<Check> checks = new ArrayList<>();
    checks.add(
        new Check(
            "keys",
            !keys.keyIds().isEmpty(),
            keys.keyIds().size() + " verification keys, signing with " + keys.signingKeyId()));
    Optional<String> auditProblem = audit.problem();
    checks.add(
        new Check(
            "audit",
            auditProblem.isEmpty(),
            auditProblem.orElse(
                "writing to " + audit.sinkName() + ", " + audit.queueDepth() + " events queued")));
    for (Upstream upstream : upstreams.values()) {
      boolean ready = upstream.credential().isReady();
      checks.add(
          new Check(
              "upstream " + upstream.name() + " credential",
              ready,
              ready ? "ready" : "the credential source is not ready"));
    }
    boolean revocationsReady = revocations.isReady();
    checks.add(
        new Check(
            "revocations",
            revocationsReady,
            revocationsReady ? "ready" : "the revocation store cannot be reached"));
    return new Readiness(checks.stream().allMatch(Check::ok), checks);
  }

  private static HttpHandler blocking(HttpHandler handler) {
    return exchange -> {
      if (exchange.isInIoThread()) {
        exchange.dispatch(handler);
        return;
      }
      handler.handleRequest(exchange);
    };
  }
}
