package dev.gitward.demo;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.FileResolver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Git smart HTTP host on 127.0.0.1 for the demo: JGit's {@link GitServlet} in Undertow, serving
 * every bare repository below a root folder, such as {@code demo/sample.git}.
 *
 * <p>Anyone who can connect may fetch and push without credentials, which is acceptable only
 * because the listener is bound to the loopback address. Call {@link #start()} once, then {@link
 * #close()}.
 */
public final class EmbeddedGitHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedGitHost.class);
  private static final String HOST = "127.0.0.1";

  private final Path root;
  private final int requestedPort;
  private @Nullable DeploymentManager deployment;
  private @Nullable Undertow server;
  private int port = -1;

  /**
   * Creates a host for the bare repositories below {@code root} that will listen on {@code port},
   * where 0 picks a free port when {@link #start()} runs.
   */
  public EmbeddedGitHost(Path root, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "port: " + port + " (expected: 0 to 65535, where 0 picks a free port)");
    }
    this.root = root.toAbsolutePath();
    this.requestedPort = port;
  }

  /**
   * Deploys the servlet and starts listening.
   *
   * @throws IllegalStateException when the host was started before, the root is not a folder, or
   *     the listener cannot bind, for example because the port is in use
   */
  public synchronized EmbeddedGitHost start() {
    if (server != null) {
      throw new IllegalStateException("demo git host: already started on port " + port);
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("repository root: " + root + " (expected: a folder)");
    }
    DeploymentManager manager = deploy();
    Undertow started = listen(startServlet(manager), manager);
    this.deployment = manager;
    this.server = started;
    this.port = ((InetSocketAddress) started.getListenerInfo().get(0).getAddress()).getPort();
    log.info("demo git host started: url={}, root={}", baseUrl(), root);
    return this;
  }

  /** Returns the port that the host listens on. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("demo git host: not started (expected: start() first)");
    }
    return port;
  }

  /** Returns the base URL without a trailing slash, such as {@code http://127.0.0.1:8081}. */
  public String baseUrl() {
    return "http://" + HOST + ":" + port();
  }

  /** Returns the folder whose bare repositories the host serves. */
  public Path root() {
    return root;
  }

  /**
   * Stops the listener and undeploys the servlet. Closing a host that is not running does nothing.
   */
  @Override
  public synchronized void close() {
    if (server == null || deployment == null) {
      return;
    }
    server.stop();
    stopServlet(deployment);
    log.info("demo git host stopped: port={}", port);
    server = null;
    deployment = null;
  }

  private DeploymentManager deploy() {
    GitServlet servlet = new GitServlet();
    servlet.setRepositoryResolver(new FileResolver<>(root.toFile(), true));
    servlet.setReceivePackFactory(EmbeddedGitHost::anonymousReceivePack);
    DeploymentInfo info =
        Servlets.deployment()
            .setClassLoader(EmbeddedGitHost.class.getClassLoader())
            .setContextPath("/")
            .setDeploymentName("gitward-demo")
            .addServlet(
                Servlets.servlet("git", GitServlet.class, new ImmediateInstanceFactory<>(servlet))
                    .addMapping("/*"));
    DeploymentManager manager = Servlets.newContainer().addDeployment(info);
    manager.deploy();
    return manager;
  }

  /**
   * Returns a receive-pack for any caller. JGit's default factory allows anonymous pushes only to
   * repositories whose config sets {@code http.receivepack}.
   */
  private static ReceivePack anonymousReceivePack(
      HttpServletRequest request, Repository repository) {
    return new ReceivePack(repository);
  }

  private static HttpHandler startServlet(DeploymentManager manager) {
    try {
      return manager.start();
    } catch (ServletException e) {
      throw new IllegalStateException("demo git host: starting JGit's GitServlet failed", e);
    }
  }

  private Undertow listen(HttpHandler handler, DeploymentManager manager) {
    Undertow candidate =
        Undertow.builder()
            .addHttpListener(requestedPort, HOST)
            // Undertow 2.3 rejects request bodies over 2 MiB by default, and pushes are often
            // larger.
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
            .setHandler(handler)
            .build();
    try {
      candidate.start();
      return candidate;
    } catch (RuntimeException e) {
      stopServlet(manager);
      throw new IllegalStateException(
          "demo git host: listening on " + HOST + ":" + requestedPort + " failed", e);
    }
  }

  private static void stopServlet(DeploymentManager manager) {
    try {
      manager.stop();
    } catch (ServletException e) {
      log.warn("demo git host: stopping the servlet failed", e);
    }
    manager.undeploy();
  }
}
