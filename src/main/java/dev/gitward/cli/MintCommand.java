package dev.gitward.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gitward.admin.SandboxGitConfig;
import dev.gitward.config.ConfigException;
import dev.gitward.config.GitwardConfig;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import dev.gitward.token.GrantCodec;
import dev.gitward.token.KeyRing;
import dev.gitward.token.MintedToken;
import dev.gitward.token.TokenMinter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gitward mint}: signs a task token offline with the config's signing key. */
@Command(
    mixinStandardHelpOptions = true,
    name = "mint",
    description = "Mint a task token with the configured signing key.")
final class MintCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--task", required = true, paramLabel = "ID", description = "the task id (sub)")
  String task;

  @Option(
      names = "--ttl",
      defaultValue = "30m",
      paramLabel = "DURATION",
      description = "lifetime such as 30m or 1h, at most tokens.max-ttl; default: ${DEFAULT-VALUE}")
  String ttl;

  @Option(names = "--fetch", paramLabel = "REPO", description = "allow fetch of <upstream>/<repo>")
  List<String> fetch = new ArrayList<>();

  @Option(
      names = "--push",
      paramLabel = "REPO=PATTERN",
      description = "allow create and update (fast-forward) of matching refs")
  List<String> push = new ArrayList<>();

  @Option(
      names = "--force",
      paramLabel = "REPO=PATTERN",
      description = "allow any update of matching refs, non-fast-forward included")
  List<String> force = new ArrayList<>();

  @Option(
      names = "--delete",
      paramLabel = "REPO=PATTERN",
      description = "allow deleting matching refs")
  List<String> delete = new ArrayList<>();

  @Option(
      names = "--format",
      defaultValue = "token",
      paramLabel = "FORMAT",
      converter = FormatConverter.class,
      description = "token, json or git-config; default: ${DEFAULT-VALUE}")
  Format format;

  /** The output of {@code gitward mint}. */
  enum Format {
    TOKEN,
    JSON,
    GIT_CONFIG
  }

  /** Parses {@code --format} in the help text's spelling, such as {@code git-config}. */
  static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      try {
        return Format.valueOf(value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            value + " (expected: token, json or git-config)");
      }
    }
  }

  @Override
  public Integer call() {
    GitwardConfig settings;
    try {
      settings = config.load();
    } catch (ConfigException e) {
      return ConfigOption.report(e, System.err);
    }
    try {
      List<Grant> grants = grants(settings);
      Duration lifetime = dev.gitward.config.Durations.parse("--ttl", ttl);
      KeyRing keys = KeyRing.load(settings.tokens().keyFiles());
      MintedToken token =
          new TokenMinter(settings.tokens(), keys, Clock.systemUTC()).mint(task, grants, lifetime);
      print(settings, grants, token);
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("gitward: " + e.getMessage());
      return 2;
    }
  }

  private List<Grant> grants(GitwardConfig settings) {
    List<Grant> grants = new ArrayList<>();
    fetch.forEach(
        repo ->
            grants.add(
                new Grant(
                    repository(settings, "--fetch", repo),
                    Set.of(Action.FETCH),
                    Optional.empty())));
    addRefGrants(settings, grants, "--push", push, EnumSet.of(Action.CREATE, Action.UPDATE));
    addRefGrants(settings, grants, "--force", force, EnumSet.of(Action.FORCE));
    addRefGrants(settings, grants, "--delete", delete, EnumSet.of(Action.DELETE));
    if (grants.isEmpty()) {
      throw new IllegalArgumentException(
          "no grants (expected: at least one of --fetch, --push," + " --force or --delete)");
    }
    return grants;
  }

  private static void addRefGrants(
      GitwardConfig settings,
      List<Grant> grants,
      String flag,
      List<String> values,
      Set<Action> actions) {
    for (String value : values) {
      int equals = value.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException(
            flag
                + " "
                + value
                + " (expected: REPO=PATTERN, such as"
                + " github.com/acme/widgets=refs/heads/agent/**)");
      }
      grants.add(
          new Grant(
              repository(settings, flag, value.substring(0, equals)),
              actions,
              Optional.of(RefPattern.compile(value.substring(equals + 1)))));
    }
  }

  private static RepositoryName repository(GitwardConfig settings, String flag, String text) {
    RepositoryName repository = RepositoryName.parse(text);
    if (settings.upstream(repository.upstream()).isEmpty()) {
      throw new IllegalArgumentException(
          flag
              + " "
              + text
              + ": unknown upstream "
              + repository.upstream()
              + " (expected one of: "
              + String.join(", ", settings.upstreams().keySet().stream().sorted().toList())
              + ")");
    }
    return repository;
  }

  private void print(GitwardConfig settings, List<Grant> grants, MintedToken token) {
    switch (format) {
      case TOKEN -> System.out.println(token.token());
      case GIT_CONFIG ->
          SandboxGitConfig.lines(settings, grants, token.token()).forEach(System.out::println);
      case JSON -> {
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("token", token.token());
        out.put("token_id", token.tokenId());
        out.put("task", token.task());
        out.put("expires_at", token.expiresAt().toString());
        out.set("grants", GrantCodec.toJson(grants));
        out.putPOJO("git_config", SandboxGitConfig.lines(settings, grants, token.token()));
        System.out.println(out.toPrettyString());
      }
    }
  }
}
