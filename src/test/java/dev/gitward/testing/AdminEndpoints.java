package dev.gitward.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP GETs to a Gitward listener on loopback. */
public final class AdminEndpoints {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private AdminEndpoints() {}

  /** Sends {@code GET url} with an optional {@code Authorization} value. */
  public static HttpResponse<String> get(String url, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code GET url} without credentials. */
  public static HttpResponse<String> get(String url) {
    return get(url, null);
  }

  /** Returns the admin base URL of {@code fixture}. */
  public static String admin(GitwardFixture fixture) {
    return "http://127.0.0.1:" + fixture.server().adminAddress().getPort();
  }
}
