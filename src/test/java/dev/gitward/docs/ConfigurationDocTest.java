package dev.gitward.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gitward.config.ConfigException;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks the key tables of docs/configuration.md against {@link ConfigLoader}. The loader's
 * accepted keys are read from its own "unknown key" messages, so a key added to the loader or to
 * the page alone fails here.
 */
class ConfigurationDocTest {
  private static final Path PAGE = Path.of("docs/configuration.md");
  private static final Pattern ROW =
      Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\| ([^|]+) \\| (.+) \\|$");
  private static final Pattern UNKNOWN_KEY =
      Pattern.compile("^(.*)zz-probe: unknown key \\(expected one of: (.*)\\)$");
  private static final Pattern CONCRETE_DEFAULT = Pattern.compile("^`([^`]*)`$");
  private static final String UPSTREAM = "github.com";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One row of a key table. */
  record Row(String key, String type, String defaultValue, String meaning) {
    /** Returns the credential type that the row applies to, from its "`type` only" prefix. */
    String credentialType() {
      if (meaning.startsWith("`github-app` only")) {
        return "github-app";
      }
      return "static";
    }
  }

  private static List<Row> rows;

  @BeforeAll
  static void readPage() throws Exception {
    rows = new ArrayList<>();
    for (String line : Files.readAllLines(PAGE)) {
      Matcher row = ROW.matcher(line.strip());
      if (row.matches()) {
        rows.add(new Row(row.group(1), row.group(2).strip(), row.group(3).strip(), row.group(4)));
      }
    }
    assertTrue(rows.size() > 30, "found only " + rows.size() + " key rows in " + PAGE);
  }

  @Test
  void everyLoaderKey_isDocumented() throws Exception {
    Set<String> documented = documentedKeys();
    for (String map : mapPaths()) {
      for (String child : acceptedChildren(map)) {
        String key = map.isEmpty() ? child : map + "." + child;
        boolean covered =
            documented.stream()
                .anyMatch(
                    doc ->
                        doc.equals(key) || doc.startsWith(key + ".") || doc.startsWith(key + "[]"));
        assertTrue(covered, "the loader accepts " + key + ", which " + PAGE + " does not list");
      }
    }
  }

  @Test
  void everyDocumentedKey_isAcceptedByLoader() throws Exception {
    for (Row row : rows) {
      int dot = row.key().lastIndexOf('.');
      String parent = dot < 0 ? "" : row.key().substring(0, dot);
      String name = dot < 0 ? row.key() : row.key().substring(dot + 1);
      Set<String> children = acceptedChildren(parent);
      assertTrue(
          children.contains(name.replace("[]", "")),
          row.key() + " is documented, but the loader accepts only " + children + " there");
    }
  }

  @Test
  void documentedSamples_loadWithoutProblems() throws Exception {
    for (Row row : rows) {
      ObjectNode config = baseConfig(row.credentialType());
      set(config, row.key(), sample(row));
      if (row.type().equals("rejected")) {
        ConfigException error = assertThrows(ConfigException.class, () -> load(config), row.key());
        String loaderKey = loaderKey(row.key());
        assertTrue(
            error.problems().stream().anyMatch(problem -> problem.startsWith(loaderKey + ": ")),
            row.key() + " was not rejected by name: " + error.problems());
        continue;
      }
      try {
        load(config);
      } catch (ConfigException e) {
        fail(row.key() + " with sample " + sample(row) + " was rejected: " + e.problems());
      }
    }
  }

  @Test
  void documentedDefaults_equalLoaderDefaults() throws Exception {
    int checked = 0;
    for (Row row : rows) {
      Matcher concrete = CONCRETE_DEFAULT.matcher(row.defaultValue());
      if (!concrete.matches()) {
        continue;
      }
      ObjectNode withDefault = baseConfig(row.credentialType());
      set(withDefault, row.key(), sample(row));
      assertEquals(
          load(baseConfig(row.credentialType())),
          load(withDefault),
          row.key() + ": the documented default " + row.defaultValue() + " is not the loader's");
      checked++;
    }
    assertTrue(checked > 20, "only " + checked + " defaults were compared");
  }

  private static Set<String> documentedKeys() {
    Set<String> keys = new TreeSet<>();
    rows.forEach(row -> keys.add(row.key()));
    return keys;
  }

  /** Returns every map in the documented keys, such as {@code upstreams.<name>.tls}. */
  private static Set<String> mapPaths() {
    Set<String> maps = new TreeSet<>();
    maps.add("");
    for (Row row : rows) {
      String[] parts = row.key().split("\\.");
      for (int i = 1; i < parts.length; i++) {
        String prefix = String.join(".", Arrays.copyOfRange(parts, 0, i));
        if (!prefix.equals("upstreams")) {
          maps.add(prefix);
        }
      }
    }
    return maps;
  }

  /**
   * Returns the keys that the loader accepts inside the map at the documented path {@code map},
   * read from the problem it reports for an unknown key there. Credentials are probed with every
   * credential type.
   */
  private static Set<String> acceptedChildren(String map) throws Exception {
    if (map.equals("upstreams")) {
      return Set.of("<name>");
    }
    List<String> types =
        map.endsWith(".credentials") ? List.of("static", "github-app", "none") : List.of("static");
    Set<String> children = new TreeSet<>();
    for (String type : types) {
      ObjectNode config = baseConfig(type);
      set(config, map.isEmpty() ? "zz-probe" : map + ".zz-probe", config.textNode("x"));
      ConfigException error = assertThrows(ConfigException.class, () -> load(config), map);
      String expectedPrefix = map.isEmpty() ? "" : loaderKey(map) + ".";
      boolean found = false;
      for (String problem : error.problems()) {
        Matcher unknown = UNKNOWN_KEY.matcher(problem);
        if (unknown.matches() && unknown.group(1).equals(expectedPrefix)) {
          children.addAll(Arrays.asList(unknown.group(2).split(", ")));
          found = true;
        }
      }
      assertTrue(found, "no unknown-key problem at '" + map + "': " + error.problems());
    }
    return children;
  }

  private static JsonNode sample(Row row) throws Exception {
    Matcher concrete = CONCRETE_DEFAULT.matcher(row.defaultValue());
    String text = concrete.matches() ? concrete.group(1) : null;
    switch (row.type()) {
      case "boolean":
        return YAML.getNodeFactory().booleanNode(text == null || Boolean.parseBoolean(text));
      case "integer":
        return YAML.getNodeFactory().numberNode(text == null ? 7 : Integer.parseInt(text));
      case "list of strings":
        return YAML.readTree(text == null ? "[ci.skip]" : text);
      case "list of maps":
        return YAML.readTree("[{file: keys/other.jwk}]");
      default:
        break;
    }
    if (text != null) {
      return YAML.getNodeFactory().textNode(text);
    }
    String value =
        switch (row.type()) {
          case "host:port" -> "127.0.0.1:0";
          case "URL" -> "https://git.example.com";
          case "redis URL" -> "redis://127.0.0.1:6379";
          case "duration" -> "45s";
          case "size" -> "2MiB";
          case "path" -> "some/file";
          case "string" -> "sample";
          case "credential type" -> "static";
          case "static scheme" -> "bearer";
          case "rejected" -> "inline-secret";
          default -> throw new AssertionError(row.key() + ": no sample for type " + row.type());
        };
    return YAML.getNodeFactory().textNode(value);
  }

  private static ObjectNode baseConfig(String credentialType) {
    ObjectNode root = YAML.createObjectNode();
    root.putObject("tokens").putArray("keys").addObject().put("file", "keys/signing.jwk");
    ObjectNode upstream = root.putObject("upstreams").putObject(UPSTREAM);
    upstream.put("url", "https://github.com");
    ObjectNode credentials = upstream.putObject("credentials").put("type", credentialType);
    if (credentialType.equals("static")) {
      credentials.put("token-env", "GITHUB_TOKEN");
    } else if (credentialType.equals("github-app")) {
      credentials.put("app-id", 1).put("private-key-file", "keys/app.pem");
    }
    return root;
  }

  /** Sets the documented key {@code key} in {@code root}, creating maps on the way. */
  private static void set(ObjectNode root, String key, JsonNode value) {
    List<String> parts = new ArrayList<>(Arrays.asList(key.split("\\.")));
    ObjectNode node = root;
    for (int i = 0; i < parts.size() - 1; i++) {
      String part = parts.get(i).equals("<name>") ? UPSTREAM : parts.get(i);
      if (part.endsWith("[]")) {
        ArrayNode list = (ArrayNode) node.get(part.substring(0, part.length() - 2));
        node = (ObjectNode) list.get(0);
      } else {
        node = node.has(part) ? (ObjectNode) node.get(part) : node.putObject(part);
      }
    }
    String last = parts.get(parts.size() - 1);
    if (last.equals("token-file")) {
      node.remove("token-env");
    }
    node.set(last, value);
  }

  /** Returns the key as the loader's messages name it, such as {@code tokens.keys[0].file}. */
  private static String loaderKey(String documentedKey) {
    return documentedKey.replace("<name>", UPSTREAM).replace("[]", "[0]");
  }

  private static GitwardConfig load(ObjectNode config) throws Exception {
    return new ConfigLoader(Map.of()).parse(YAML.writeValueAsString(config), "sample");
  }

  @Test
  void page_linksStayInsideDocs() throws Exception {
    String text = Files.readString(PAGE);
    assertFalse(text.contains("](../"), "links outside docs/");
  }
}
