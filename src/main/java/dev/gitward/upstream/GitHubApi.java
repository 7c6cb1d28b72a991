package dev.gitward.upstream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import javax.net.ssl.SSLException;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.jspecify.annotations.Nullable;

/**
 * The two GitHub REST API calls that a GitHub App credential needs: the installation of a
 * repository, and a new installation access token.
 *
 * <p>Every failure becomes a {@link CredentialUnavailableException} whose message names the call
 * and what went wrong. No message quotes a response body, because a token response body contains
 * the token.
 */
final class GitHubApi implements AutoCloseable {
  /** Maximum size of an API response body that is read. */
  static final int MAX_RESPONSE_BYTES = 1024 * 1024;

  /** The wait after a rate limit response that carries neither retry-after nor a reset time. */
  static final Duration DEFAULT_BACKOFF = Duration.ofMinutes(1);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER_AGENT = "gitward";

  private final URI base;
  private final UpstreamClient client;
  private final Duration timeout;
  private final Clock clock;

  GitHubApi(URI base, UpstreamClient client, Duration timeout, Clock clock) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.client = client;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Looks up the app's installation on {@code owner/repository}.
   *
   * @return the installation id, or empty when the app is not installed there (HTTP 404)
   */
  OptionalLong findInstallation(String owner, String repository, String appJwt)
      throws CredentialUnavailableException {
    String call = "GET /repos/" + owner + "/" + repository + "/installation";
    Response response =
        send(call, "/repos/" + owner + "/" + repository + "/installation", appJwt, null);
    if (response.status() == 404) {
      return OptionalLong.empty();
    }
    JsonNode id = parseSuccess(call, response).get("id");
    if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
      throw malformed(call, "no positive integer id");
    }
    return OptionalLong.of(id.asLong());
  }

  /** Mints an installation access token limited to {@code request}. */
  InstallationToken createToken(TokenRequest request, String appJwt)
      throws CredentialUnavailableException {
    String path = "/app/installations/" + request.installationId() + "/access_tokens";
    String call = "POST " + path;
    Response response = send(call, path, appJwt, requestBody(request));
    JsonNode answer = parseSuccess(call, response);
    return InstallationTokenReader.read(call, answer, request, clock.instant());
  }

  /** Returns the JSON body of a token request; {@code workflows} is never requested. */
  static String requestBody(TokenRequest request) {
    ObjectNode body = JSON.createObjectNode();
    request.repositories().forEach(body.putArray("repositories")::add);
    ObjectNode permissions = body.putObject("permissions");
    permissions.put("contents", request.contents().wireName());
    permissions.put("metadata", "read");
    return body.toString();
  }

  private Response send(String call, String path, String appJwt, @Nullable String body)
      throws CredentialUnavailableException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer " + appJwt);
    headers.put("Accept", "application/vnd.github+json");
    headers.put("X-GitHub-Api-Version", "2022-11-28");
    headers.put("User-Agent", USER_AGENT);
    InputStream content =
        body == null ? null : new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
    long length = body == null ? -1 : body.getBytes(StandardCharsets.UTF_8).length;
    String type = body == null ? null : "application/json";
    try (UpstreamClient.Exchange exchange =
        client.open(URI.create(base + path), headers, content, length, type)) {
      Response response = Response.read(exchange.response());
      checkRateLimit(call, response);
      return response;
    } catch (SocketTimeoutException e) {
      throw new CredentialUnavailableException(
          "GitHub API " + call + " timed out after " + timeout.toMillis() + " ms");
    } catch (SSLException e) {
      throw new CredentialUnavailableException(
          "TLS verification of the GitHub API failed for " + call);
    } catch (IOException e) {
      throw new CredentialUnavailableException(
          "GitHub API " + call + " failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Throws when GitHub rate-limits the app: 429, or 403 with {@code x-ratelimit-remaining: 0} or a
   * {@code retry-after} header, which covers GitHub's primary and secondary rate limits.
   */
  private void checkRateLimit(String call, Response response) throws RateLimitedException {
    boolean limited =
        response.status() == 429
            || response.status() == 403
                && ("0".equals(response.header("x-ratelimit-remaining"))
                    || response.header("retry-after") != null);
    if (limited) {
      throw new RateLimitedException(call, resetTime(response));
    }
  }

  private Instant resetTime(Response response) {
    Instant now = clock.instant();
    try {
      String retryAfter = response.header("retry-after");
      if (retryAfter != null) {
        return now.plusSeconds(Math.max(1, Long.parseLong(retryAfter.strip())));
      }
      String reset = response.header("x-ratelimit-reset");
      if (reset != null) {
        Instant at = Instant.ofEpochSecond(Long.parseLong(reset.strip()));
        return at.isAfter(now) ? at : now.plus(DEFAULT_BACKOFF);
      }
    } catch (NumberFormatException e) {
      // A header that is not a number of seconds gets the default wait.
    }
    return now.plus(DEFAULT_BACKOFF);
  }

  private static JsonNode parseSuccess(String call, Response response)
      throws CredentialUnavailableException {
    if (response.status() < 200 || response.status() >= 300) {
      throw new CredentialUnavailableException(
          "GitHub API " + call + " failed with HTTP " + response.status());
    }
    if (response.body() == null) {
      throw malformed(call, "a body larger than " + MAX_RESPONSE_BYTES + " bytes");
    }
    try {
      JsonNode node = JSON.readTree(response.body());
      if (node == null || !node.isObject()) {
        throw malformed(call, "no JSON object");
      }
      return node;
    } catch (JacksonException e) {
      // Jackson's message quotes the input, which can contain the token.
      throw malformed(call, "invalid JSON");
    } catch (IOException e) {
      throw malformed(call, "an unreadable body");
    }
  }

  static CredentialUnavailableException malformed(String call, String problem) {
    return new CredentialUnavailableException(
        "GitHub API "
            + call
            + " returned "
            + problem
            + " (expected: the documented JSON response)");
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "GitHubApi[" + base + "]";
  }

  /** An API response, read whole; the body is null when it exceeds {@link #MAX_RESPONSE_BYTES}. */
  private record Response(int status, Map<String, String> headers, byte @Nullable [] body) {
    static Response read(ClassicHttpResponse response) throws IOException {
      Map<String, String> headers = new LinkedHashMap<>();
      for (String name :
          new String[] {"retry-after", "x-ratelimit-remaining", "x-ratelimit-reset"}) {
        Header header = response.getFirstHeader(name);
        if (header != null) {
          headers.put(name, header.getValue());
        }
      }
      HttpEntity entity = response.getEntity();
      if (entity == null) {
        return new Response(response.getCode(), headers, new byte[0]);
      }
      try (InputStream in = entity.getContent()) {
        byte[] body = in.readNBytes(MAX_RESPONSE_BYTES + 1);
        return new Response(
            response.getCode(), headers, body.length > MAX_RESPONSE_BYTES ? null : body);
      }
    }

    @Nullable String header(String name) {
      return headers.get(name);
    }
  }
}
