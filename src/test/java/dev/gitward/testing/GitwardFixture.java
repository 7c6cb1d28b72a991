package dev.gitward.testing;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import dev.gitward.server.GitwardServer;
import dev.gitward.token.SigningKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A real Gitward in front of a real {@code git http-backend}, both on loopback: the upstream {@code
 * local} serves {@code owner/allowed.git} (with {@code main} and {@code agent/base}) and {@code
 * owner/secret.git}.
 */
public final class GitwardFixture implements AutoCloseable {
  public static final String UPSTREAM = "local";
  public static final String ALLOWED = UPSTREAM + "/owner/allowed";
  public static final String SECRET = UPSTREAM + "/owner/secret";

  private static final String ADMIN_SECRET_ENV = "GITWARD_TEST_ADMIN_SECRET";

  private final Path directory;
  private final GitHttpBackend backend;
  private final TestRepositories repositories;
  private final GitwardServer server;

  private GitwardFixture(
      Path directory, GitHttpBackend backend, TestRepositories repositories, GitwardServer server) {
    this.directory = directory;
    this.backend = backend;
    this.repositories = repositories;
    this.server = server;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static GitwardFixture start() {
    return builder().start();
  }

  /** Options of the fixture. */
  public static final class Builder {
    private String extraYaml = "";
    private String upstreamExtraYaml = "";
    private String proxyExtraYaml = "";
    private Optional<String> upstreamToken = Optional.empty();
    private Optional<String> credentialsYaml = Optional.empty();
    private String otherUpstreamsYaml = "";
    private final Map<String, String> environment = new HashMap<>();
    private @Nullable String basicUser;
    private @Nullable String basicPassword;
    private @Nullable SSLContext upstreamTls;
    private Clock clock = Clock.systemUTC();
    private JWSAlgorithm algorithm = JWSAlgorithm.EdDSA;
    private List<Path> keyFiles = List.of();
    private Optional<String> adminSecret = Optional.empty();

    /** Appends top-level YAML sections, such as {@code limits:}. */
    public Builder yaml(String text) {
      this.extraYaml = text;
      return this;
    }

    /** Appends keys to the {@code proxy:} section, indented by two spaces. */
    public Builder proxyYaml(String text) {
      this.proxyExtraYaml = text;
      return this;
    }

    /** Appends keys to the {@code local} upstream, indented by four spaces. */
    public Builder upstreamYaml(String text) {
      this.upstreamExtraYaml = text;
      return this;
    }

    /** Makes the upstream require Basic {@code x-access-token:token}, configured as static. */
    public Builder upstreamToken(String token) {
      this.upstreamToken = Optional.of(token);
      return this;
    }

    /**
     * Makes the upstream require Basic {@code user:password} without configuring a credential, so
     * that {@link #credentialsYaml} decides what Gitward sends.
     */
    public Builder requireUpstreamBasic(String user, String password) {
      this.basicUser = user;
      this.basicPassword = password;
      return this;
    }

    /** Replaces the {@code credentials:} block of {@code local}, indented by four spaces. */
    public Builder credentialsYaml(String text) {
      this.credentialsYaml = Optional.of(text);
      return this;
    }

    /** Appends further entries under {@code upstreams:}, each indented by two spaces. */
    public Builder otherUpstreamsYaml(String text) {
      this.otherUpstreamsYaml = text;
      return this;
    }

    /** Adds a variable to the environment that Gitward reads credentials from. */
    public Builder environment(String name, String value) {
      this.environment.put(name, value);
      return this;
    }

    /** Serves the upstream over HTTPS with the certificate of {@code tls}. */
    public Builder upstreamTls(SSLContext tls) {
      this.upstreamTls = tls;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder algorithm(JWSAlgorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /** Uses these JWK files as {@code tokens.keys} instead of a new key. */
    public Builder keyFiles(List<Path> files) {
      this.keyFiles = List.copyOf(files);
      return this;
    }

    /** Sets the admin bearer secret, configured through {@code admin.token-env}. */
    public Builder adminSecret(String secret) {
      this.adminSecret = Optional.of(secret);
      return this;
    }

    public GitwardFixture start() {
      Path directory = ScratchDirectories.create("gitward-fixture");
      try {
        Path root = Files.createDirectories(directory.resolve("upstream"));
        TestRepositories repositories = TestRepositories.in(root);
        repositories.createAllowed();
        repositories.createSecret();
        GitHttpBackend.Builder backend = GitHttpBackend.builder().root(root);
        upstreamToken.ifPresent(token -> backend.requireBasicAuth("x-access-token", token));
        if (basicUser != null) {
          backend.requireBasicAuth(basicUser, basicPassword);
        }
        if (upstreamTls != null) {
          backend.https(upstreamTls);
        }
        GitHttpBackend upstream = backend.start();
        List<Path> keys = keyFiles;
        if (keys.isEmpty()) {
          Path key = directory.resolve("signing.jwk");
          SigningKeys.generateFile(key, algorithm, Clock.systemUTC());
          keys = List.of(key);
        }
        Map<String, String> environment = new HashMap<>(System.getenv());
        upstreamToken.ifPresent(token -> environment.put("GITWARD_TEST_UPSTREAM_TOKEN", token));
        environment.putAll(this.environment);
        adminSecret.ifPresent(secret -> environment.put(ADMIN_SECRET_ENV, secret));
        GitwardConfig config = new ConfigLoader(environment).parse(yaml(keys, upstream), "fixture");
        GitwardServer server = GitwardServer.start(config, environment, clock);
        return new GitwardFixture(directory, upstream, repositories, server);
      } catch (Exception e) {
        throw new IllegalStateException("fixture failed to start: " + e.getMessage(), e);
      }
    }

    private String yaml(List<Path> keys, GitHttpBackend upstream) {
      String credentials =
          upstreamToken.isPresent()
              ? "    credentials:\n      type: static\n      username: x-access-token\n"
                  + "      token-env: GITWARD_TEST_UPSTREAM_TOKEN\n"
              : "    credentials:\n      type: none\n";
      StringBuilder keyList = new StringBuilder();
      keys.forEach(key -> keyList.append("    - file: ").append(key).append('\n'));
      String drain = proxyExtraYaml.contains("drain-timeout:") ? "" : "  drain-timeout: 2s\n";
      return "proxy:\n  listen: 127.0.0.1:0\n"
          + drain
          + proxyExtraYaml
          + "admin:\n  listen: 127.0.0.1:0\n"
          + (adminSecret.isPresent() ? "  token-env: " + ADMIN_SECRET_ENV + "\n" : "")
          + "tokens:\n  keys:\n"
          + keyList
          + "upstreams:\n  "
          + UPSTREAM
          + ":\n    url: "
          + upstream.baseUrl()
          + "\n"
          + credentialsYaml.orElse(credentials)
          + upstreamExtraYaml
          + otherUpstreamsYaml
          + extraYaml;
    }
  }

  public GitHttpBackend upstream() {
    return backend;
  }

  public TestRepositories repositories() {
    return repositories;
  }

  public GitwardServer server() {
    return server;
  }

  public Path directory() {
    return directory;
  }

  /** Returns a new empty folder under the fixture's directory. */
  public Path newFolder(String name) {
    try {
      return Files.createTempDirectory(directory, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the base URL of the proxy listener, such as {@code http://127.0.0.1:41234}. */
  public String proxyUrl() {
    return "http://127.0.0.1:" + server.proxyAddress().getPort();
  }

  /** Returns the base URL of the admin listener. */
  public String adminUrl() {
    return "http://127.0.0.1:" + server.adminAddress().getPort();
  }

  /** Returns the proxy URL of a repository on the upstream, such as {@code owner/allowed.git}. */
  public String remote(String repository) {
    return proxyUrl() + "/" + UPSTREAM + "/" + repository;
  }

  /** Returns the bare repository of {@code owner/allowed}. */
  public Path allowedRepository() {
    return repositories.path(TestRepositories.ALLOWED);
  }

  /** Mints the token T: fetch {@code owner/allowed}, create and update {@code agent/**}. */
  public String tokenT() {
    return mint(
        "task-t",
        List.of(
            fetch(ALLOWED), refs(ALLOWED, "refs/heads/agent/**", Action.CREATE, Action.UPDATE)));
  }

  /** Mints the token R: fetch {@code owner/allowed} only. */
  public String tokenR() {
    return mint("task-r", List.of(fetch(ALLOWED)));
  }

  public String mint(String task, List<Grant> grants) {
    return mint(task, grants, Duration.ofMinutes(10));
  }

  public String mint(String task, List<Grant> grants, Duration ttl) {
    return server.minter().mint(task, grants, ttl).token();
  }

  public static Grant fetch(String repository) {
    return new Grant(RepositoryName.parse(repository), Set.of(Action.FETCH), Optional.empty());
  }

  public static Grant refs(String repository, String pattern, Action... actions) {
    return new Grant(
        RepositoryName.parse(repository),
        EnumSet.copyOf(List.of(actions)),
        Optional.of(RefPattern.compile(pattern)));
  }

  /** Returns a git client in {@code workDir} that sends {@code token} as a Bearer header. */
  public GitClient git(Path workDir, String token) {
    return GitClient.in(workDir).withConfig("http.extraHeader", "Authorization: Bearer " + token);
  }

  @Override
  public void close() {
    server.close();
    backend.close();
  }
}
