package dev.gitward.testing;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream Git host for tests: an Undertow server on 127.0.0.1 that runs the real {@code git
 * http-backend} as a CGI program for every request and records each request.
 *
 * <p>Request and response bodies are streamed in both directions, so transfers of hundreds of
 * megabytes use constant memory. Every repository under {@link #root()} is exported.
 */
public final class GitHttpBackend implements AutoCloseable {
  /** The CGI program that serves git's smart HTTP protocol, as Debian's git package installs it. */
  public static final String HTTP_BACKEND_PROGRAM = "/usr/lib/git-core/git-http-backend";

  private static final Logger log = LoggerFactory.getLogger(GitHttpBackend.class);
  private static final String REALM = "upstream";

  private final Path root;
  private final boolean ownsRoot;
  private final Path home;
  private final @Nullable String basicCredential;
  private final @Nullable String basicUser;
  private final @Nullable String bearerToken;
  private final @Nullable String remoteUser;
  private final Map<String, String> extraEnvironment;
  private final @Nullable SSLContext tls;
  private final ExecutorService threads;
  private final List<UpstreamRequest> requests = new ArrayList<>();
  private final Undertow server;
  private final int port;

  private GitHttpBackend(Builder builder) {
    this.ownsRoot = builder.root == null;
    this.root = builder.root != null ? builder.root : ScratchDirectories.create("gitward-upstream");
    this.home = ScratchDirectories.create("gitward-upstream-home");
    this.basicUser = builder.basicUser;
    this.basicCredential =
        builder.basicUser == null ? null : basicCredential(builder.basicUser, builder.password);
    this.bearerToken = builder.bearerToken;
    this.remoteUser = builder.remoteUser;
    this.extraEnvironment = Map.copyOf(builder.extraEnvironment);
    this.tls = builder.tls;
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "git-http-backend-stream");
              thread.setDaemon(true);
              return thread;
            });
    Undertow.Builder undertow = Undertow.builder();
    if (tls == null) {
      undertow.addHttpListener(0, "127.0.0.1");
    } else {
      undertow.addHttpsListener(0, "127.0.0.1", tls);
    }
    this.server =
        undertow
            .setWorkerThreads(32)
            // Undertow 2.3 rejects request bodies over 2 MiB by default (DEFAULT_MAX_ENTITY_SIZE).
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
            .setHandler(new HttpContinueReadHandler(new BlockingHandler(this::handle)))
            .build();
    server.start();
    this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    log.info("git http-backend upstream started: url={}, root={}", baseUrl(), root);
  }

  /** Returns a builder for a backend without authentication and with a temporary root. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a backend without authentication that serves the repositories under {@code root}. */
  public static GitHttpBackend start(Path root) {
    return builder().root(root).start();
  }

  /** Returns the folder whose bare repositories this backend serves. */
  public Path root() {
    return root;
  }

  /** Returns the port that the server listens on. */
  public int port() {
    return port;
  }

  /** Returns the base URL without a trailing slash, such as {@code http://127.0.0.1:40123}. */
  public String baseUrl() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  /** Returns the URL of repository {@code name}, such as {@code owner/allowed.git}. */
  public String url(String name) {
    return baseUrl() + "/" + name;
  }

  /** Returns a copy of the request log, oldest first. */
  public List<UpstreamRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Empties the request log. */
  public void clearRequests() {
    synchronized (requests) {
      requests.clear();
    }
  }

  /** Stops the server and deletes its temporary folders, the root too when the backend made it. */
  @Override
  public void close() {
    server.stop();
    threads.shutdownNow();
    ScratchDirectories.delete(home);
    if (ownsRoot) {
      ScratchDirectories.delete(root);
    }
    log.info("git http-backend upstream stopped: url={}", baseUrl());
  }

  private void handle(HttpServerExchange exchange) throws IOException {
    CountingInputStream body = new CountingInputStream(exchange.getInputStream());
    int status = 500;
    try {
      if (authorized(exchange)) {
        status =
            new HttpBackendCall(HTTP_BACKEND_PROGRAM, cgiEnvironment(exchange), threads)
                .run(exchange, body);
      } else {
        status = challenge(exchange, body);
      }
    } catch (IOException e) {
      log.warn("request failed: {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      throw e;
    } finally {
      record(exchange, body.count(), status);
    }
    // The response ends here, after the request is in the log, so a client that has seen the
    // whole response always finds its request in the log.
    exchange.getOutputStream().close();
  }

  private boolean authorized(HttpServerExchange exchange) {
    if (basicCredential == null && bearerToken == null) {
      return true;
    }
    HeaderValues authorization = exchange.getRequestHeaders().get(Headers.AUTHORIZATION);
    if (authorization == null || authorization.size() != 1) {
      return false;
    }
    String value = authorization.getFirst();
    return matches(value, basicCredential) || matches(value, bearerCredential());
  }

  private boolean presentsBasicCredential(HttpServerExchange exchange) {
    String value = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    return value != null && matches(value, basicCredential);
  }

  private @Nullable String bearerCredential() {
    return bearerToken == null ? null : "Bearer " + bearerToken;
  }

  private static boolean matches(String presented, @Nullable String expected) {
    return expected != null
        && MessageDigest.isEqual(
            presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private int challenge(HttpServerExchange exchange, CountingInputStream body) throws IOException {
    body.drain();
    exchange.setStatusCode(401);
    if (basicCredential != null) {
      exchange.getResponseHeaders().add(Headers.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\"");
    }
    if (bearerToken != null) {
      exchange.getResponseHeaders().add(Headers.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\"");
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getOutputStream().write("authentication required\n".getBytes(StandardCharsets.UTF_8));
    return 401;
  }

  private Map<String, String> cgiEnvironment(HttpServerExchange exchange) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", home.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_PROJECT_ROOT", root.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    env.put("SERVER_PROTOCOL", exchange.getProtocol().toString());
    env.put("REQUEST_METHOD", exchange.getRequestMethod().toString());
    env.put("PATH_INFO", exchange.getRequestPath());
    env.put("QUERY_STRING", exchange.getQueryString());
    env.put("REMOTE_ADDR", exchange.getSourceAddress().getAddress().getHostAddress());
    putHeader(env, "CONTENT_TYPE", exchange, Headers.CONTENT_TYPE);
    // Without CONTENT_LENGTH, as for a chunked body, http-backend reads its input to the end.
    putHeader(env, "CONTENT_LENGTH", exchange, Headers.CONTENT_LENGTH);
    putHeader(env, "HTTP_GIT_PROTOCOL", exchange, new HttpString("Git-Protocol"));
    putHeader(env, "HTTP_CONTENT_ENCODING", exchange, Headers.CONTENT_ENCODING);
    String user = presentsBasicCredential(exchange) ? basicUser : remoteUser;
    if (user != null) {
      env.put("REMOTE_USER", user);
    }
    env.putAll(extraEnvironment);
    return env;
  }

  private static void putHeader(
      Map<String, String> env, String variable, HttpServerExchange exchange, HttpString header) {
    String value = exchange.getRequestHeaders().getFirst(header);
    if (value != null) {
      env.put(variable, value);
    }
  }

  private void record(HttpServerExchange exchange, long bodyBytes, int status) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HeaderValues values : exchange.getRequestHeaders()) {
      headers.put(values.getHeaderName().toString(), List.copyOf(values));
    }
    UpstreamRequest request =
        new UpstreamRequest(
            exchange.getRequestMethod().toString(),
            exchange.getRequestURI(),
            exchange.getQueryString(),
            headers,
            bodyBytes,
            status);
    synchronized (requests) {
      requests.add(request);
    }
  }

  private static String basicCredential(String user, @Nullable String password) {
    String pair = user + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** Options of a {@link GitHttpBackend}. Every option is off unless set. */
  public static final class Builder {
    private @Nullable Path root;
    private @Nullable String basicUser;
    private @Nullable String password;
    private @Nullable String bearerToken;
    private @Nullable String remoteUser;
    private final Map<String, String> extraEnvironment = new LinkedHashMap<>();
    private @Nullable SSLContext tls;

    private Builder() {}

    /** Serves HTTPS instead of HTTP, with the server certificate of {@code context}. */
    public Builder https(SSLContext context) {
      this.tls = context;
      return this;
    }

    /** Serves the repositories under {@code folder} instead of a new temporary folder. */
    /**
     * Passes a git config setting to every http-backend process through {@code GIT_CONFIG_COUNT},
     * where git treats it as command-line configuration: settings such as {@code
     * uploadpack.packObjectsHook} that git reads only from protected configuration work.
     */
    public Builder config(String key, String value) {
      int index = extraEnvironment.size() / 2;
      extraEnvironment.put("GIT_CONFIG_KEY_" + index, key);
      extraEnvironment.put("GIT_CONFIG_VALUE_" + index, value);
      extraEnvironment.put("GIT_CONFIG_COUNT", String.valueOf(index + 1));
      return this;
    }

    /** Serves the repositories under {@code folder} instead of a new temporary folder. */
    public Builder root(Path folder) {
      if (!Files.isDirectory(folder)) {
        throw new IllegalArgumentException("root: " + folder + " (expected: an existing folder)");
      }
      this.root = folder.toAbsolutePath();
      return this;
    }

    /**
     * Requires HTTP Basic authentication with exactly this pair, responding to other requests with
     * 401 and {@code WWW-Authenticate: Basic realm="upstream"}. The user becomes {@code
     * REMOTE_USER}.
     */
    public Builder requireBasicAuth(String user, String password) {
      if (user.isEmpty() || user.contains(":")) {
        throw new IllegalArgumentException("user: " + user + " (expected: non-empty, without ':')");
      }
      this.basicUser = user;
      this.password = password;
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer token}. With {@link #requireBasicAuth} as well, either
     * credential is accepted.
     */
    public Builder requireBearer(String token) {
      if (token.isEmpty()) {
        throw new IllegalArgumentException("token: empty (expected: a non-empty token)");
      }
      this.bearerToken = token;
      return this;
    }

    /** Passes {@code user} as {@code REMOTE_USER} when Basic authentication does not set it. */
    public Builder remoteUser(String user) {
      this.remoteUser = user;
      return this;
    }

    /** Starts the server on an ephemeral port of 127.0.0.1. */
    public GitHttpBackend start() {
      return new GitHttpBackend(this);
    }
  }
}
