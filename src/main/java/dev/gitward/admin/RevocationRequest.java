package dev.gitward.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The body of {@code POST /v1/revocations}: exactly one of {@code {"task": "..."}} and {@code
 * {"token_id": "..."}}.
 *
 * @param member {@code task} or {@code token_id}
 * @param value the task id or the token id ({@code jti})
 */
record RevocationRequest(String member, String value) {
  static final String TASK = "task";
  static final String TOKEN_ID = "token_id";

  /** Maximum length of an id, the same as the verifier accepts for {@code sub} and {@code jti}. */
  private static final int MAX_ID_CHARS = 128;

  static RevocationRequest read(ObjectNode body) throws ApiException {
    MintRequest.checkMembers(body, Set.of(TASK, TOKEN_ID));
    if (body.has(TASK) == body.has(TOKEN_ID)) {
      throw ApiException.badRequest(
          "body: "
              + (body.has(TASK) ? "both task and token_id" : "neither task nor token_id")
              + " (expected: exactly one of them)");
    }
    String member = body.has(TASK) ? TASK : TOKEN_ID;
    String value = MintRequest.requireText(body, member, "the id to revoke");
    if (value.isEmpty() || value.length() > MAX_ID_CHARS || !isVisibleAscii(value)) {
      throw ApiException.badRequest(
          member
              + ": "
              + value.length()
              + " characters (expected: 1 to "
              + MAX_ID_CHARS
              + " printable ASCII characters without spaces)");
    }
    return new RevocationRequest(member, value);
  }

  boolean isTask() {
    return member.equals(TASK);
  }

  private static boolean isVisibleAscii(String value) {
    return value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
  }
}
