package dev.gitward.server;

import dev.gitward.admin.AdminSecret;
import dev.gitward.admin.TokenApi;
import dev.gitward.audit.AuditLog;
import dev.gitward.config.ConfigException;
import dev.gitward.config.GitwardConfig;
import dev.gitward.config.HostPort;
import dev.gitward.config.Limits;
import dev.gitward.metrics.CredentialMetrics;
import dev.gitward.metrics.GitwardMeters;
import dev.gitward.proxy.GitProxyHandler;
import dev.gitward.token.JwtTokenVerifier;
import dev.gitward.token.KeyRing;
import dev.gitward.token.LocalRevocationList;
import dev.gitward.token.RedisRevocationList;
import dev.gitward.token.RevocationList;
import dev.gitward.token.TokenMinter;
import dev.gitward.upstream.Upstream;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * A running Gitward: the proxy listener in front of the configured upstreams, with the key ring,
 * verifier and minter it was built from.
 */
public final class GitwardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GitwardServer.class);
  private static final String JGIT_SHA1_PROPERTY = "org.eclipse.jgit.util.sha1.implementation";

  private final GitwardConfig config;
  private final Map<String, Upstream> upstreams;
  private final TokenMinter minter;
  private final KeyRing keys;
  private final RevocationList revocations;
  private final DrainGate gate;
  private final GracefulShutdownHandler shutdown;
  private final Undertow proxy;
  private final Undertow admin;
  private final AuditLog audit;
  private final GitwardMeters meters;

  private GitwardServer(
      GitwardConfig config,
      Map<String, Upstream> upstreams,
      TokenMinter minter,
      KeyRing keys,
      RevocationList revocations,
      DrainGate gate,
      GracefulShutdownHandler shutdown,
      Undertow proxy,
      Undertow admin,
      AuditLog audit,
      GitwardMeters meters) {
    this.config = config;
    this.upstreams = upstreams;
    this.minter = minter;
    this.keys = keys;
    this.revocations = revocations;
    this.gate = gate;
    this.shutdown = shutdown;
    this.proxy = proxy;
    this.admin = admin;
    this.audit = audit;
    this.meters = meters;
  }

  /**
   * Builds every component from {@code config} and starts the listeners.
   *
   * @throws ConfigException when a key file, credential or listener cannot be set up
   */
  public static GitwardServer start(
      GitwardConfig config, Map<String, String> environment, Clock clock) throws ConfigException {
    useNativeSha1ForPackProofs();
    KeyRing keys = loadKeys(config);
    Optional<AdminSecret> adminSecret = AdminSecret.load(config.admin(), environment);
    RevocationList revocations = revocationList(config, clock);
    JwtTokenVerifier verifier = new JwtTokenVerifier(config.tokens(), keys, clock, revocations);
    TokenMinter minter = new TokenMinter(config.tokens(), keys, clock);
    GitwardMeters meters = new GitwardMeters(config.upstreams().keySet());
    Map<String, Upstream> upstreams =
        Upstreams.create(config.upstreams(), environment, clock, meters);
    Path spool = Path.of(System.getProperty("java.io.tmpdir"));
    AuditLog audit = openAudit(config, clock);
    meters.bindAudit(audit);
    HttpHandler git =
        new GitProxyHandler(
            upstreams,
            verifier,
            config.tokens().maxTokenBytes(),
            config.limits(),
            spool,
            audit,
            meters);
    GracefulShutdownHandler shutdown =
        new GracefulShutdownHandler(new HttpContinueReadHandler(git));
    DrainGate gate = new DrainGate(shutdown);
    Undertow proxy =
        proxyListener(
            config,
            new RequestFramingGuard(
                config.proxy().allowedHosts(),
                config.limits().headerBlock(),
                config.limits().headerCount(),
                gate));
    RoutingHandler routes = Handlers.routing();
    HealthApi.register(routes, keys, audit, upstreams, meters, revocations);
    TokenApi.register(routes, config, minter, keys, revocations, clock, adminSecret);
    Undertow admin = adminListener(config, routes);
    try {
      start(proxy, "proxy.listen", config.proxy().listen());
      start(admin, "admin.listen", config.admin().listen());
    } catch (ConfigException e) {
      proxy.stop();
      upstreams.values().forEach(Upstream::close);
      closeRevocations(revocations);
      audit.close();
      throw e;
    }
    GitwardServer server =
        new GitwardServer(
            config,
            upstreams,
            minter,
            keys,
            revocations,
            gate,
            shutdown,
            proxy,
            admin,
            audit,
            meters);
    log.info(
        "proxy listening on {} for upstreams {}; admin API on {}",
        server.proxyAddress(),
        upstreams.keySet(),
        server.adminAddress());
    return server;
  }

  private static RevocationList revocationList(GitwardConfig config, Clock clock) {
    if (config.revocations().redis().isEmpty()) {
      return new LocalRevocationList(clock);
    }
    return RedisRevocationList.start(config.revocations(), clock);
  }

  private static void closeRevocations(RevocationList revocations) {
    if (revocations instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("closing the revocation list failed", e);
      }
    }
  }

  private static AuditLog openAudit(GitwardConfig config, Clock clock) throws ConfigException {
    try {
      return AuditLog.open(config.audit(), clock);
    } catch (IOException e) {
      throw new ConfigException(
          "audit.file: "
              + config.audit().file().map(Object::toString).orElse("-")
              + " cannot be opened ("
              + e.getMessage()
              + ") (expected: a writable file, or - for standard output)");
    }
  }

  private static void start(Undertow listener, String key, HostPort address)
      throws ConfigException {
    try {
      listener.start();
    } catch (RuntimeException e) {
      throw new ConfigException(
          key
              + ": "
              + address
              + " cannot be bound ("
              + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage())
              + ") (expected: a free port; port 0 picks one)");
    }
  }

  private static Undertow adminListener(GitwardConfig config, HttpHandler routes) {
    return Undertow.builder()
        .addHttpListener(config.admin().listen().port(), config.admin().listen().host())
        .setIoThreads(1)
        .setWorkerThreads(8)
        .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1L << 20)
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
        .setHandler(routes)
        .build();
  }

  /**
   * Loads everything {@link #start} loads from files and the environment (the key ring, the admin
   * secret and every upstream credential) without binding a listener, and collects the problems, so
   * that {@code check-config} rejects what {@code serve} would reject.
   */
  public static List<String> check(GitwardConfig config, Map<String, String> environment) {
    List<String> problems = new ArrayList<>();
    try {
      KeyRing.load(config.tokens().keyFiles());
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    try {
      AdminSecret.load(config.admin(), environment);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    try {
      Upstreams.create(config.upstreams(), environment, Clock.systemUTC(), CredentialMetrics.NONE)
          .values()
          .forEach(Upstream::close);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    return problems;
  }

  /**
   * Makes JGit hash pushed packs with the JDK's SHA-1 instead of its pure-Java collision-detecting
   * one, which took most of the time of a fast-forward proof. The proof reads the same bytes that
   * the upstream receives and checks itself, so a colliding object cannot make the two disagree on
   * the commit graph.
   */
  private static void useNativeSha1ForPackProofs() {
    if (System.getProperty(JGIT_SHA1_PROPERTY) == null) {
      System.setProperty(JGIT_SHA1_PROPERTY, "jdkNative");
    }
  }

  private static KeyRing loadKeys(GitwardConfig config) throws ConfigException {
    try {
      return KeyRing.load(config.tokens().keyFiles());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static Undertow proxyListener(GitwardConfig config, HttpHandler handler) {
    Limits limits = config.limits();
    return Undertow.builder()
        .addHttpListener(config.proxy().listen().port(), config.proxy().listen().host())
        .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
        .setWorkerThreads(config.proxy().workerThreads())
        .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, limits.headerBlock())
        .setServerOption(UndertowOptions.MAX_HEADERS, limits.headerCount())
        // Above Gitward's own limits, so that their rejection, which names the config key,
        // comes first.
        .setServerOption(
            UndertowOptions.MAX_ENTITY_SIZE,
            Math.max(limits.pushBody(), limits.uploadPackRequest()) + (1 << 20))
        .setServerOption(
            UndertowOptions.REQUEST_PARSE_TIMEOUT,
            (int) config.proxy().requestParseTimeout().toMillis())
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000)
        // Undertow.Builder turns this on. It keeps each response back while the bytes already read
        // contain the start of another request, so a client that waits for the response before it
        // sends the rest of that request stalls until the request-parse timeout closes the
        // connection.
        .setServerOption(UndertowOptions.BUFFER_PIPELINED_DATA, false)
        .setServerOption(UndertowOptions.DECODE_URL, false)
        .setServerOption(UndertowOptions.ALLOW_ENCODED_SLASH, false)
        .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
        .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, false)
        .setSocketOption(Options.REUSE_ADDRESSES, true)
        // XNIO closes a connection whose pending read waits longer than this, which bounds a
        // client that stops sending in the middle of a request body.
        .setSocketOption(
            Options.READ_TIMEOUT, (int) config.proxy().clientReadIdleTimeout().toMillis())
        .setHandler(handler)
        .build();
  }

  /** Returns the bound proxy address, with the real port when the config asked for port 0. */
  public InetSocketAddress proxyAddress() {
    return (InetSocketAddress) proxy.getListenerInfo().get(0).getAddress();
  }

  /** Returns the bound admin address. */
  public InetSocketAddress adminAddress() {
    return (InetSocketAddress) admin.getListenerInfo().get(0).getAddress();
  }

  public GitwardConfig config() {
    return config;
  }

  public TokenMinter minter() {
    return minter;
  }

  public KeyRing keys() {
    return keys;
  }

  public RevocationList revocations() {
    return revocations;
  }

  /** Returns the meters; upstream credential sources report to {@link GitwardMeters} as well. */
  public GitwardMeters meters() {
    return meters;
  }

  public AuditLog audit() {
    return audit;
  }

  /**
   * Stops accepting new requests, lets in-flight ones finish within the drain timeout, then stops
   * the listeners and closes upstream connections.
   */
  @Override
  public void close() {
    Duration drain = config.proxy().drainTimeout();
    log.info("proxy draining: new requests get 503, running ones have {} to finish", drain);
    gate.close();
    shutdown.shutdown();
    try {
      if (shutdown.awaitShutdown(drain.toMillis())) {
        log.info("proxy drained: every running request finished");
      } else {
        // NOTE: a push cut here leaves the upstream's refs as git receive-pack left them. With
        // --atomic that is all or none of them, otherwise possibly some. The access log shows
        // the cut request.
        log.warn("drain timeout of {} passed with requests still running; closing them", drain);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    proxy.stop();
    audit.close();
    admin.stop();
    upstreams.values().forEach(Upstream::close);
    closeRevocations(revocations);
    log.info("proxy stopped");
  }
}
