package dev.gitward.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of an admin API error: {@code {"error": {"field", "value", "expected"}, "message"}}.
 *
 * @param field the request member at fault, such as {@code grants[0].actions}, or empty
 * @param value what the request contained there
 * @param expected the accepted form
 * @param message the whole message in Gitward's {@code field: value (expected: ...)} form
 */
record ApiError(String field, String value, String expected, String message) {
  private static final String EXPECTED = " (expected: ";

  /**
   * Splits a message of the form {@code field: value (expected: form)} into its parts. A message
   * without that form becomes the value, with an empty field and expectation.
   */
  static ApiError fromMessage(String message) {
    int colon = message.indexOf(": ");
    int expected = message.lastIndexOf(EXPECTED);
    if (colon < 0 || expected < colon || !message.endsWith(")")) {
      return new ApiError("", message, "", message);
    }
    return new ApiError(
        message.substring(0, colon),
        message.substring(colon + 2, expected),
        message.substring(expected + EXPECTED.length(), message.length() - 1),
        message);
  }

  ObjectNode toJson() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode error = body.putObject("error");
    error.put("field", field);
    error.put("value", value);
    error.put("expected", expected);
    body.put("message", message);
    return body;
  }
}
