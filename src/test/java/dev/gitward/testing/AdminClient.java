package dev.gitward.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sends requests to a fixture's admin listener with the JDK HTTP client. */
public final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String baseUrl;
  private final String secret;

  public AdminClient(String baseUrl, String secret) {
    this.baseUrl = baseUrl;
    this.secret = secret;
  }

  /** Posts {@code body} as JSON with the admin secret as Bearer credential. */
  public HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + secret)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build());
  }

  /** Mints a token for {@code task} and returns the response body. */
  public JsonNode mint(String task, String grantsJson) {
    HttpResponse<String> response =
        post("/v1/tokens", "{\"task\": \"" + task + "\", \"grants\": " + grantsJson + "}");
    if (response.statusCode() != 201) {
      throw new AssertionError("mint: " + response.statusCode() + " " + response.body());
    }
    return json(response);
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
