package dev.gitward.demo;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gitward.config.ConfigException;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import dev.gitward.server.GitwardServer;
import dev.gitward.token.MintedToken;
import dev.gitward.token.SigningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.util.FileUtils;

/**
 * Everything {@code gitward demo} runs: an embedded JGit host with a sample repository, a Gitward
 * proxy in front of it, a demo task token and a git config file that sends it.
 */
public final class Demo implements AutoCloseable {
  /** The upstream name in the demo's URLs. */
  public static final String UPSTREAM = "demo";

  /** The sample repository on the embedded host. */
  public static final String REPOSITORY = "demo/sample";

  /** The audit log's file name in the demo's folder. */
  public static final String AUDIT_LOG = "audit.log";

  /** The branch pattern the demo token may create and fast-forward. */
  public static final String AGENT_REFS = "refs/heads/agent/**";

  private final Path directory;
  private final EmbeddedGitHost host;
  private final GitwardServer server;
  private final MintedToken token;
  private final List<Grant> grants;
  private final Path gitConfig;

  private Demo(
      Path directory,
      EmbeddedGitHost host,
      GitwardServer server,
      MintedToken token,
      List<Grant> grants,
      Path gitConfig) {
    this.directory = directory;
    this.host = host;
    this.server = server;
    this.token = token;
    this.grants = grants;
    this.gitConfig = gitConfig;
  }

  /**
   * Starts the demo in {@code directory}, with the proxy on {@code port} of 127.0.0.1 (0 picks a
   * free port).
   */
  public static Demo start(Path directory, int port) throws IOException, ConfigException {
    Path root = Files.createDirectories(directory.resolve("host"));
    SampleRepository.create(root, REPOSITORY + ".git");
    EmbeddedGitHost host = new EmbeddedGitHost(root, 0).start();
    try {
      Path key = directory.resolve("signing.jwk");
      SigningKeys.generateFile(key, JWSAlgorithm.EdDSA, Clock.systemUTC());
      GitwardConfig config =
          new ConfigLoader(Map.of())
              .parse(yaml(key, host.baseUrl(), port, directory.resolve(AUDIT_LOG)), "demo");
      GitwardServer server = GitwardServer.start(config, Map.of(), Clock.systemUTC());
      List<Grant> grants = grants();
      MintedToken token = server.minter().mint("demo-task", grants, Duration.ofHours(1));
      Path gitConfig = writeGitConfig(directory, server, token);
      return new Demo(directory, host, server, token, grants, gitConfig);
    } catch (IOException | ConfigException | RuntimeException e) {
      host.close();
      throw e;
    }
  }

  private static String yaml(Path key, String hostUrl, int port, Path auditLog) {
    return "proxy:\n  listen: 127.0.0.1:"
        + port
        + "\n  drain-timeout: 2s\n"
        + "admin:\n  listen: 127.0.0.1:0\n"
        + "tokens:\n  max-ttl: 1h\n  keys:\n    - file: "
        + key
        + "\n"
        + "upstreams:\n  "
        + UPSTREAM
        + ":\n    url: "
        + hostUrl
        + "\n"
        + "    credentials:\n      type: none\n"
        + "audit:\n  file: "
        + auditLog
        + "\n";
  }

  private static List<Grant> grants() {
    RepositoryName repository = new RepositoryName(UPSTREAM, REPOSITORY);
    return List.of(
        new Grant(repository, Set.of(Action.FETCH), Optional.empty()),
        new Grant(
            repository,
            EnumSet.of(Action.CREATE, Action.UPDATE),
            Optional.of(RefPattern.compile(AGENT_REFS))));
  }

  private static Path writeGitConfig(Path directory, GitwardServer server, MintedToken token)
      throws IOException {
    Path file = directory.resolve("gitconfig");
    String proxy = "http://127.0.0.1:" + server.proxyAddress().getPort() + "/";
    String text =
        "# Written by gitward demo. It holds the demo task token, so it is private.\n"
            + "[http \""
            + proxy
            + "\"]\n"
            + "\textraHeader = Authorization: Bearer "
            + token.token()
            + "\n"
            + "[user]\n\tname = Demo Agent\n\temail = agent@example.com\n"
            + "[init]\n\tdefaultBranch = main\n"
            + "[advice]\n\tdetachedHead = false\n";
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  public Path directory() {
    return directory;
  }

  /** Returns the proxy URL of the sample repository. */
  public String remoteUrl() {
    return "http://127.0.0.1:"
        + server.proxyAddress().getPort()
        + "/"
        + UPSTREAM
        + "/"
        + REPOSITORY
        + ".git";
  }

  public String hostUrl() {
    return host.baseUrl();
  }

  public String proxyUrl() {
    return "http://127.0.0.1:" + server.proxyAddress().getPort();
  }

  /** Returns the audit log, one JSON event per git request. */
  public Path auditLog() {
    return directory.resolve(AUDIT_LOG);
  }

  /** Returns the git config file that sends the demo token; it is readable by its owner only. */
  public Path gitConfig() {
    return gitConfig;
  }

  public MintedToken token() {
    return token;
  }

  /** Returns the grants of the demo token in words. */
  public String describeGrants() {
    return String.join("; ", grants.stream().map(Grant::describe).toList());
  }

  /** Stops the proxy and the host, and deletes the demo's folder with its key and token. */
  @Override
  public void close() {
    server.close();
    host.close();
    try {
      FileUtils.delete(directory.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING);
    } catch (IOException e) {
      System.err.println("gitward: demo folder " + directory + " could not be deleted: " + e);
    }
  }
}
