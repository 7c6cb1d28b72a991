package dev.gitward.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The single loader of Gitward's YAML configuration. It rejects unknown keys and duplicate keys,
 * expands {@code ${ENV}} references, applies defaults and reports every problem at once.
 *
 * <p>Relative paths are resolved against the working directory of the process.
 */
public final class ConfigLoader {
  /** Maximum size of a config file. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

  private final Map<String, String> environment;

  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Loads and validates {@code file}. */
  public GitwardConfig load(Path file) throws ConfigException {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(file + ": larger than 1 MiB (expected: a Gitward config file)");
      }
      return parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": not found (expected: a readable YAML file)");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Parses and validates config text; {@code source} names it in messages. */
  public GitwardConfig parse(String text, String source) throws ConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source + ": invalid YAML (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          source
              + ": empty or not a map (expected: the sections proxy,"
              + " admin, tokens, upstreams, audit, limits)");
    }
    ConfigReader reader = new ConfigReader(environment);
    GitwardConfig config = read(reader, root);
    if (!reader.problems().isEmpty()) {
      throw new ConfigException(reader.problems());
    }
    return config;
  }

  private static GitwardConfig read(ConfigReader reader, JsonNode root) {
    reader.checkKeys(
        root,
        "",
        Set.of("proxy", "admin", "tokens", "upstreams", "audit", "limits", "revocations"));
    Limits limits = readLimits(reader, section(reader, root, "limits"));
    return new GitwardConfig(
        readProxy(reader, section(reader, root, "proxy")),
        readAdmin(reader, section(reader, root, "admin")),
        readTokens(reader, section(reader, root, "tokens")),
        readUpstreams(reader, section(reader, root, "upstreams")),
        readAudit(reader, section(reader, root, "audit")),
        limits,
        RevocationReader.read(reader, section(reader, root, "revocations")));
  }

  private static JsonNode section(ConfigReader reader, JsonNode parent, String name) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return YAML.createObjectNode();
    }
    if (!node.isObject()) {
      reader.problem(name, "not a map (expected: a map of settings)");
      return YAML.createObjectNode();
    }
    return node;
  }

  private static ProxySettings readProxy(ConfigReader reader, JsonNode node) {
    String key = "proxy";
    reader.checkKeys(
        node,
        key,
        Set.of(
            "listen",
            "public-url",
            "request-parse-timeout",
            "drain-timeout",
            "worker-threads",
            "client-read-idle-timeout",
            "allowed-hosts"));
    HostPort listen =
        reader
            .hostPort(node, key, "listen", "127.0.0.1:8080")
            .orElse(new HostPort("127.0.0.1", 8080));
    URI publicUrl = reader.httpUrl(node, key, "public-url").orElse(URI.create("http://" + listen));
    return new ProxySettings(
        listen,
        publicUrl,
        positive(
            reader,
            key + ".request-parse-timeout",
            reader.duration(node, key, "request-parse-timeout", Duration.ofSeconds(10))),
        reader.duration(node, key, "drain-timeout", Duration.ofSeconds(30)),
        reader.count(node, key, "worker-threads", 200),
        positive(
            reader,
            key + ".client-read-idle-timeout",
            reader.duration(node, key, "client-read-idle-timeout", Duration.ofSeconds(60))),
        readAllowedHosts(reader, node.get("allowed-hosts"), publicUrl, listen));
  }

  private static Set<String> readAllowedHosts(
      ConfigReader reader, JsonNode node, URI publicUrl, HostPort listen) {
    String key = "proxy.allowed-hosts";
    Set<String> hosts = new LinkedHashSet<>();
    if (node == null || node.isNull()) {
      if (publicUrl.getHost() != null) {
        hosts.add(publicUrl.getHost().toLowerCase(Locale.ROOT));
      }
      hosts.add(listen.host().toLowerCase(Locale.ROOT));
      return hosts;
    }
    if (!node.isArray()) {
      reader.problem(key, "not a list (expected: a list of host names, such as [git.internal])");
      return hosts;
    }
    for (JsonNode host : node) {
      String name = host.asText();
      if (!host.isTextual() || !name.matches("[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+]")) {
        reader.problem(key, host + " (expected: a host name or IP address without a port)");
      } else {
        hosts.add(name.toLowerCase(Locale.ROOT));
      }
    }
    return hosts;
  }

  private static AdminSettings readAdmin(ConfigReader reader, JsonNode node) {
    String key = "admin";
    reader.checkKeys(node, key, Set.of("listen", "token-file", "token-env"));
    HostPort listen =
        reader
            .hostPort(node, key, "listen", "127.0.0.1:8081")
            .orElse(new HostPort("127.0.0.1", 8081));
    return new AdminSettings(
        listen, reader.path(node, key, "token-file"), reader.string(node, key, "token-env"));
  }

  private static TokenSettings readTokens(ConfigReader reader, JsonNode node) {
    String key = "tokens";
    reader.checkKeys(
        node,
        key,
        Set.of("issuer", "audience", "keys", "max-ttl", "clock-skew", "max-size", "max-grants"));
    Duration maxTtl =
        positive(
            reader, key + ".max-ttl", reader.duration(node, key, "max-ttl", Duration.ofHours(1)));
    long maxSize = reader.size(node, key, "max-size", TokenSettings.DEFAULT_MAX_TOKEN_BYTES);
    return new TokenSettings(
        reader.string(node, key, "issuer", "gitward"),
        reader.string(node, key, "audience", "gitward"),
        readKeyFiles(reader, node.get("keys")),
        maxTtl,
        reader.duration(node, key, "clock-skew", Duration.ofSeconds(60)),
        toInt(reader, key + ".max-size", maxSize),
        reader.count(node, key, "max-grants", TokenSettings.DEFAULT_MAX_GRANTS));
  }

  private static List<Path> readKeyFiles(ConfigReader reader, JsonNode keys) {
    String expected = "a list of {file: PATH} entries, such as - file: config/keys/signing.jwk";
    if (keys == null || keys.isNull()) {
      reader.problem("tokens.keys", "missing (expected: " + expected + ")");
      return List.of();
    }
    if (!keys.isArray() || keys.isEmpty()) {
      reader.problem("tokens.keys", "empty or not a list (expected: " + expected + ")");
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      String key = "tokens.keys[" + i + "]";
      JsonNode entry = keys.get(i);
      if (!entry.isObject()) {
        reader.problem(key, "not a map (expected: " + expected + ")");
        continue;
      }
      reader.checkKeys(entry, key, Set.of("file"));
      reader
          .requiredString(entry, key, "file", "the path of a JWK file")
          .map(Path::of)
          .ifPresent(files::add);
    }
    return files;
  }

  private static Map<String, UpstreamSettings> readUpstreams(ConfigReader reader, JsonNode node) {
    Map<String, UpstreamSettings> upstreams = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            entry -> {
              String key = "upstreams." + entry.getKey();
              if (!entry.getKey().matches("[A-Za-z0-9_.-]+")) {
                reader.problem(
                    key,
                    "invalid upstream name (expected: letters, digits, '.', '_'"
                        + " and '-', such as github.com)");
              } else if (!entry.getValue().isObject()) {
                reader.problem(
                    key, "not a map (expected: url, credentials and other upstream settings)");
              } else {
                UpstreamReader.read(reader, key, entry.getKey(), entry.getValue())
                    .ifPresent(upstream -> upstreams.put(entry.getKey(), upstream));
              }
            });
    if (node.isEmpty()) {
      reader.problem("upstreams", "empty (expected: at least one upstream, such as github.com)");
    }
    return upstreams;
  }

  private static AuditSettings readAudit(ConfigReader reader, JsonNode node) {
    String key = "audit";
    reader.checkKeys(node, key, Set.of("file", "queue-size", "on-failure", "fetch-fsync-delay"));
    String file = reader.string(node, key, "file", "-");
    String onFailure = reader.string(node, key, "on-failure", "reject");
    AuditSettings.OnFailure policy = AuditSettings.OnFailure.REJECT;
    if (onFailure.equals("block")) {
      policy = AuditSettings.OnFailure.BLOCK;
    } else if (!onFailure.equals("reject")) {
      reader.problem(key + ".on-failure", onFailure + " (expected: reject or block)");
    }
    Duration fsyncDelay =
        reader.duration(node, key, "fetch-fsync-delay", AuditSettings.DEFAULT_FETCH_FSYNC_DELAY);
    if (fsyncDelay.compareTo(AuditSettings.MAX_FETCH_FSYNC_DELAY) > 0) {
      reader.problem(
          key + ".fetch-fsync-delay",
          Durations.format(fsyncDelay)
              + " (expected: at most "
              + Durations.format(AuditSettings.MAX_FETCH_FSYNC_DELAY)
              + ", or 0s to force every batch to disk)");
      fsyncDelay = AuditSettings.DEFAULT_FETCH_FSYNC_DELAY;
    }
    return new AuditSettings(
        file.equals("-") ? Optional.empty() : Optional.of(Path.of(file)),
        reader.count(node, key, "queue-size", AuditSettings.DEFAULT_QUEUE_SIZE),
        policy,
        fsyncDelay);
  }

  private static Limits readLimits(ConfigReader reader, JsonNode node) {
    String key = "limits";
    Limits defaults = Limits.defaults();
    reader.checkKeys(
        node,
        key,
        new HashSet<>(
            List.of(
                "header-block",
                "header-count",
                "command-section",
                "commands",
                "ref-name",
                "pkt-line",
                "push-body",
                "upload-pack-request")));
    int pktLine = reader.count(node, key, "pkt-line", defaults.pktLine());
    if (pktLine < 1024 || pktLine > 65520) {
      reader.problem(key + ".pkt-line", pktLine + " (expected: from 1024 to 65520)");
    }
    return new Limits(
        toInt(
            reader,
            key + ".header-block",
            reader.size(node, key, "header-block", defaults.headerBlock())),
        reader.count(node, key, "header-count", defaults.headerCount()),
        toInt(
            reader,
            key + ".command-section",
            reader.size(node, key, "command-section", defaults.commandSection())),
        reader.count(node, key, "commands", defaults.commands()),
        reader.count(node, key, "ref-name", defaults.refName()),
        pktLine,
        reader.size(node, key, "push-body", defaults.pushBody()),
        reader.size(node, key, "upload-pack-request", defaults.uploadPackRequest()));
  }

  private static int toInt(ConfigReader reader, String key, long value) {
    if (value > Integer.MAX_VALUE) {
      reader.problem(key, value + " (expected: at most " + Integer.MAX_VALUE + " bytes)");
      return Integer.MAX_VALUE;
    }
    return (int) value;
  }

  static Duration positive(ConfigReader reader, String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      reader.problem(key, "0 (expected: a duration above zero)");
    }
    return value;
  }
}
