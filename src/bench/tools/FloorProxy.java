import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/**
 * A reverse proxy built from the same parts as Gitward but without any of its work: no token, no
 * policy, no protocol parsing, no audit, no logs. It measures the floor that the server and the
 * threading model set, so the report can tell their cost from Gitward's own.
 *
 * <p>Run as a single-file program with Gitward's jar on the class path: {@code java -cp
 * target/gitward.jar FloorProxy.java MODE PORT UPSTREAM_URL}, where MODE is {@code undertow}
 * (Undertow's non-blocking {@code ProxyHandler}, all on the connection's I/O thread) or {@code
 * blocking} (the request is dispatched to a worker thread that forwards it with the blocking Apache
 * client and streams the response, as Gitward does). It listens on 127.0.0.1 only.
 */
public final class FloorProxy {
  private static final List<String> REQUEST_HEADERS =
      List.of("Git-Protocol", "User-Agent", "Accept");
  private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "Cache-Control");

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !List.of("undertow", "blocking").contains(args[0])) {
      System.err.println("usage: java FloorProxy.java undertow|blocking PORT UPSTREAM_URL");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    URI upstream = URI.create(args[2]);
    HttpHandler handler =
        args[0].equals("undertow") ? nonBlocking(upstream) : new Blocking(upstream.toString());
    Undertow.builder()
        .addHttpListener(port, "127.0.0.1")
        // Undertow's default cuts a request body at 2 MiB, which a push passes.
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1L << 40)
        .setHandler(handler)
        .build()
        .start();
  }

  private static HttpHandler nonBlocking(URI upstream) {
    // Requests beyond the pool wait for a connection, as in nginx. By default they get a 503.
    LoadBalancingProxyClient client =
        new LoadBalancingProxyClient()
            .addHost(upstream)
            .setConnectionsPerThread(64)
            .setSoftMaxConnectionsPerThread(64)
            .setMaxQueueSize(1000);
    return ProxyHandler.builder().setProxyClient(client).setMaxRequestTime(900_000).build();
  }

  /** Gitward's threading model: a worker thread per request and a blocking upstream client. */
  private static final class Blocking implements HttpHandler {
    private final String base;
    private final CloseableHttpClient client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(1000)
                    .setMaxConnPerRoute(1000)
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableContentCompression()
            .build();

    Blocking(String base) {
      this.base = base;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
      if (exchange.isInIoThread()) {
        exchange.dispatch(this);
        return;
      }
      exchange.startBlocking();
      String query = exchange.getQueryString();
      String uri = base + exchange.getRequestURI() + (query.isEmpty() ? "" : "?" + query);
      boolean post = exchange.getRequestMethod().toString().equals("POST");
      HttpUriRequestBase request = post ? new HttpPost(uri) : new HttpGet(uri);
      for (String name : REQUEST_HEADERS) {
        String value = exchange.getRequestHeaders().getFirst(name);
        if (value != null) {
          request.addHeader(name, value);
        }
      }
      if (post) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        // git compresses a large request body; the upstream inflates it.
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        request.setEntity(
            new InputStreamEntity(
                exchange.getInputStream(),
                exchange.getRequestContentLength(),
                type == null ? null : ContentType.parse(type),
                encoding));
      }
      try (ClassicHttpResponse response = client.executeOpen(null, request, null)) {
        exchange.setStatusCode(response.getCode());
        for (String name : RESPONSE_HEADERS) {
          Header header = response.getFirstHeader(name);
          if (header != null) {
            exchange.getResponseHeaders().put(HttpString.tryFromString(name), header.getValue());
          }
        }
        HttpEntity entity = response.getEntity();
        if (entity != null) {
          copy(entity.getContent(), exchange.getOutputStream());
        }
      } catch (IOException e) {
        if (!exchange.isResponseStarted()) {
          exchange.setStatusCode(502);
        }
        exchange.setPersistent(false);
      }
      exchange.endExchange();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        if (in.available() == 0) {
          out.flush();
        }
      }
      out.close();
    }
  }
}
