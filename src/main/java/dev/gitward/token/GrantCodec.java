package dev.gitward.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Converts grants to and from the JSON of the {@code grants} claim, {@code [{"repo":
 * "github.com/acme/widgets", "actions": ["create", "update"], "refs": "refs/heads/agent/**"}]},
 * with the same closed grammar for minting, verification and the admin API.
 */
public final class GrantCodec {
  private static final Set<String> GRANT_MEMBERS = Set.of("repo", "actions", "refs");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GrantCodec() {}

  /** Returns the JSON array of {@code grants}, with actions in {@link Action} order. */
  public static ArrayNode toJson(List<Grant> grants) {
    ArrayNode array = NODES.arrayNode();
    for (Grant grant : grants) {
      array.add(toJson(grant));
    }
    return array;
  }

  private static ObjectNode toJson(Grant grant) {
    ObjectNode object = NODES.objectNode();
    object.put("repo", grant.repository().toString());
    ArrayNode actions = object.putArray("actions");
    EnumSet.copyOf(grant.actions()).forEach(action -> actions.add(action.wireName()));
    grant.refs().ifPresent(refs -> object.put("refs", refs.toString()));
    return object;
  }

  /**
   * Reads a non-empty array of at most {@code maxGrants} grants.
   *
   * @throws IllegalArgumentException naming the offending element, such as {@code
   *     grants[2].actions: ["push"] (expected: ...)}; the message may quote values of the input
   */
  public static List<Grant> fromJson(JsonNode grants, int maxGrants) {
    if (!grants.isArray() || grants.isEmpty()) {
      throw new IllegalArgumentException(
          "grants: " + describe(grants) + " (expected: a non-empty array of grants)");
    }
    if (grants.size() > maxGrants) {
      throw new IllegalArgumentException(
          "grants: "
              + grants.size()
              + " grants (expected: at most "
              + maxGrants
              + ", tokens.max-grants)");
    }
    List<Grant> result = new ArrayList<>(grants.size());
    for (int i = 0; i < grants.size(); i++) {
      result.add(grantFromJson(grants.get(i), "grants[" + i + "]"));
    }
    return List.copyOf(result);
  }

  private static Grant grantFromJson(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(
          path + ": " + describe(node) + " (expected: an object with repo, actions and refs)");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!GRANT_MEMBERS.contains(name)) {
        throw new IllegalArgumentException(
            path + "." + name + ": not allowed (expected: only repo, actions and refs)");
      }
    }
    String repo = requireText(node, "repo", path);
    Set<Action> actions = actionsFromJson(node.get("actions"), path + ".actions");
    String refs = node.has("refs") ? requireText(node, "refs", path) : null;
    try {
      Optional<RefPattern> pattern = Optional.ofNullable(refs).map(RefPattern::compile);
      return new Grant(RepositoryName.parse(repo), actions, pattern);
    } catch (IllegalArgumentException e) {
      // The policy types name the value and the expected form, and the path names the grant.
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  private static String requireText(JsonNode node, String member, String path) {
    JsonNode value = node.get(member);
    if (value == null) {
      throw new IllegalArgumentException(path + "." + member + ": missing (expected: a string)");
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(
          path + "." + member + ": " + describe(value) + " (expected: a string)");
    }
    return value.textValue();
  }

  private static Set<Action> actionsFromJson(JsonNode node, String path) {
    String expected = " (expected: a non-empty array of fetch, create, update, force, delete)";
    if (node == null) {
      throw new IllegalArgumentException(path + ": missing" + expected);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new IllegalArgumentException(path + ": " + describe(node) + expected);
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    for (JsonNode element : node) {
      Action action =
          element.isTextual() ? Action.fromWireName(element.textValue()).orElse(null) : null;
      if (action == null) {
        throw new IllegalArgumentException(
            path + ": unknown action " + describe(element) + expected);
      }
      if (!actions.add(action)) {
        throw new IllegalArgumentException(
            path + ": " + action.wireName() + " twice (expected: each action once)");
      }
    }
    return actions;
  }

  /** Returns a short description of a JSON value for an error message. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "\"" + node.textValue() + "\"";
    }
    if (node.isArray()) {
      return node.isEmpty() ? "[]" : "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    return node.toString();
  }
}
