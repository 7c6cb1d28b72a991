package dev.gitward.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gitward.token.StrictJsonReader;
import dev.gitward.token.StrictJsonReader.InvalidJsonException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads JSON request bodies and writes JSON responses of the admin API on a blocking exchange. */
final class JsonExchange {
  /** Maximum request body, far above the size of a request for the largest token. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonExchange() {}

  /**
   * Reads the body as one strict JSON object: UTF-8, no duplicate members, at most {@link
   * #MAX_BODY_BYTES}.
   */
  static ObjectNode readObject(HttpServerExchange exchange) throws ApiException, IOException {
    String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(
          415,
          "Content-Type: " + (type == null ? "missing" : type) + " (expected: application/json)");
    }
    if (exchange.getRequestContentLength() > MAX_BODY_BYTES) {
      throw tooLarge(exchange.getRequestContentLength());
    }
    byte[] body;
    try (InputStream in = exchange.getInputStream()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw tooLarge(body.length);
    }
    try {
      return StrictJsonReader.readObject(body);
    } catch (InvalidJsonException e) {
      throw ApiException.badRequest(
          "body: " + e.getMessage() + " (expected: one JSON object without duplicate members)");
    }
  }

  private static ApiException tooLarge(long bytes) {
    return new ApiException(
        413, "body: " + bytes + " bytes or more (expected: at most " + MAX_BODY_BYTES + " bytes)");
  }

  static void send(HttpServerExchange exchange, int status, JsonNode body) {
    String text;
    try {
      text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialize", e);
    }
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseSender().send(text, StandardCharsets.UTF_8);
  }

  static void sendError(HttpServerExchange exchange, ApiException error) {
    send(exchange, error.status(), error.error().toJson());
  }
}
