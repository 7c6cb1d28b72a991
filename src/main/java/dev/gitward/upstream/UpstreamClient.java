package dev.gitward.upstream;

import dev.gitward.config.ConfigException;
import dev.gitward.config.UpstreamSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Sends requests to one upstream over a pooled HTTP/1.1 client that never follows redirects, never
 * retries, keeps no cookies, adds no compression and verifies TLS.
 *
 * <p>The connect timeout bounds opening a connection; the read-idle timeout bounds each silence
 * while reading, so a long transfer that keeps moving is never cut by a total deadline.
 */
public final class UpstreamClient implements AutoCloseable {
  private final CloseableHttpClient client;
  private final PoolingHttpClientConnectionManager connections;
  private final SSLContext tls;

  private UpstreamClient(
      CloseableHttpClient client, PoolingHttpClientConnectionManager connections, SSLContext tls) {
    this.client = client;
    this.connections = connections;
    this.tls = tls;
  }

  /** Creates the client of {@code settings}. */
  public static UpstreamClient create(UpstreamSettings settings) throws ConfigException {
    return create(settings, settings.connectTimeout(), settings.readIdleTimeout());
  }

  /**
   * Creates a client that trusts what {@code settings} trusts, with other timeouts, such as for the
   * host's REST API.
   */
  static UpstreamClient create(UpstreamSettings settings, Duration connect, Duration readIdle)
      throws ConfigException {
    String key = "upstreams." + settings.name() + ".tls.ca-file";
    SSLContext tls =
        settings.caFile().isPresent()
            ? TrustStores.fromBundle(key, settings.caFile().get())
            : TrustStores.systemDefault();
    PoolingHttpClientConnectionManager connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setTlsSocketStrategy(new DefaultClientTlsStrategy(tls))
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(connect))
                    .setSocketTimeout(Timeout.of(readIdle))
                    .setTimeToLive(TimeValue.ofMinutes(5))
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            .setMaxConnTotal(1000)
            .setMaxConnPerRoute(1000)
            .build();
    CloseableHttpClient client =
        HttpClients.custom()
            .setConnectionManager(connections)
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableContentCompression()
            .disableAuthCaching()
            .disableDefaultUserAgent()
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setRedirectsEnabled(false)
                    .setExpectContinueEnabled(false)
                    .setResponseTimeout(Timeout.of(readIdle))
                    .build())
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
    return new UpstreamClient(client, connections, tls);
  }

  /**
   * Opens a GET or POST exchange. The caller reads the response through the returned exchange and
   * closes it; {@link Exchange#abort} drops the connection instead of returning it to the pool.
   *
   * @param body the request body, or null for a GET
   * @param length the body length, or -1 to send it chunked
   */
  public Exchange open(
      URI uri,
      Map<String, String> headers,
      @Nullable InputStream body,
      long length,
      @Nullable String contentType)
      throws IOException {
    HttpUriRequestBase request = body == null ? new HttpGet(uri) : new HttpPost(uri);
    headers.forEach(request::addHeader);
    if (body != null) {
      ContentType type = contentType == null ? null : ContentType.parse(contentType);
      request.setEntity(new InputStreamEntity(body, length, type));
    }
    try {
      return new Exchange(request, client.executeOpen(null, request, null));
    } catch (IOException | RuntimeException e) {
      request.cancel();
      throw e;
    }
  }

  /** Returns the TLS context that verifies the upstream, for other clients of the same upstream. */
  public SSLContext tls() {
    return tls;
  }

  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
    connections.close(CloseMode.IMMEDIATE);
  }

  /** Returns the pooled connections that are open and idle, for tests and metrics. */
  int idleConnections() {
    return connections.getTotalStats().getAvailable();
  }

  /** One request and its response; closing it returns a cleanly read connection to the pool. */
  public static final class Exchange implements AutoCloseable {
    private final HttpUriRequestBase request;
    private final ClassicHttpResponse response;

    Exchange(HttpUriRequestBase request, ClassicHttpResponse response) {
      this.request = request;
      this.response = response;
    }

    public ClassicHttpResponse response() {
      return response;
    }

    /** Drops the connection, for a client abort or a framing error. */
    public void abort() {
      request.cancel();
      try {
        response.close();
      } catch (IOException e) {
        // The connection is discarded either way.
      }
    }

    @Override
    public void close() throws IOException {
      response.close();
    }
  }
}
