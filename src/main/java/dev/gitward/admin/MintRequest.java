package dev.gitward.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gitward.config.Durations;
import dev.gitward.config.GitwardConfig;
import dev.gitward.policy.Grant;
import dev.gitward.token.GrantCodec;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/tokens}: {@code {"task": "...", "grants": [...], "ttl": "30m"}}.
 *
 * @param task the task id, the token's {@code sub}
 * @param grants the grants, read with the same grammar as the {@code grants} claim
 * @param ttl the token lifetime; {@link #DEFAULT_TTL} when the request has none
 */
record MintRequest(String task, List<Grant> grants, Duration ttl) {
  static final Duration DEFAULT_TTL = Duration.ofMinutes(30);

  private static final Set<String> MEMBERS = Set.of("task", "grants", "ttl");

  /**
   * Reads a request and checks that each grant names a configured upstream. The minter checks the
   * task id and the ttl against {@code tokens.max-ttl}.
   */
  static MintRequest read(ObjectNode body, GitwardConfig config) throws ApiException {
    checkMembers(body, MEMBERS);
    String task = requireText(body, "task", "a task id such as ci-1234");
    JsonNode grantsNode = body.get("grants");
    if (grantsNode == null) {
      throw ApiException.badRequest("grants: missing (expected: a non-empty array of grants)");
    }
    List<Grant> grants;
    try {
      grants = GrantCodec.fromJson(grantsNode, config.tokens().maxGrants());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    checkUpstreams(grants, config);
    Duration ttl =
        body.has("ttl") ? ttl(requireText(body, "ttl", "a duration such as 30m")) : DEFAULT_TTL;
    return new MintRequest(task, grants, ttl);
  }

  static void checkMembers(ObjectNode body, Set<String> allowed) throws ApiException {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw ApiException.badRequest(
            name
                + ": unknown member (expected: only "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }

  static String requireText(ObjectNode body, String member, String expected) throws ApiException {
    JsonNode value = body.get(member);
    if (value == null) {
      throw ApiException.badRequest(member + ": missing (expected: " + expected + ")");
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest(
          member
              + ": "
              + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + " (expected: a string, "
              + expected
              + ")");
    }
    return value.textValue();
  }

  private static void checkUpstreams(List<Grant> grants, GitwardConfig config) throws ApiException {
    for (int i = 0; i < grants.size(); i++) {
      String upstream = grants.get(i).repository().upstream();
      if (config.upstream(upstream).isEmpty()) {
        throw ApiException.badRequest(
            "grants["
                + i
                + "].repo: upstream "
                + upstream
                + " is not configured (expected: one of "
                + config.upstreams().keySet().stream().sorted().toList()
                + ")");
      }
    }
  }

  private static Duration ttl(String text) throws ApiException {
    try {
      return Durations.parse("ttl:", text);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }
}
