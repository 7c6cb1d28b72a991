package dev.gitward.token;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads one JSON object from UTF-8 bytes under a closed grammar: strict UTF-8, no duplicate member
 * names at any depth, no comments, no trailing content, and a bounded nesting depth.
 *
 * <p>Duplicates are detected here instead of with Jackson's {@code STRICT_DUPLICATE_DETECTION}, so
 * the error can name the duplicated member. Error messages never quote the input beyond a
 * duplicated member name, which callers pass through {@link ClientText}.
 */
public final class StrictJsonReader {
  /** Maximum nesting of objects and arrays, well above the three levels that a token needs. */
  static final int MAX_DEPTH = 16;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StrictJsonReader() {}

  /**
   * Parses {@code utf8} as exactly one JSON object.
   *
   * @throws InvalidJsonException when the bytes are not UTF-8, not one JSON object, or contain a
   *     duplicate member name
   */
  public static ObjectNode readObject(byte[] utf8) throws InvalidJsonException {
    String text = decodeUtf8(utf8);
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidJsonException(false, "not a JSON object");
      }
      ObjectNode object = readObjectBody(parser, 1);
      if (parser.nextToken() != null) {
        throw new InvalidJsonException(false, "content after the JSON object");
      }
      return object;
    } catch (IOException e) {
      // Jackson's message may quote the input, so only a fixed text leaves this method.
      throw new InvalidJsonException(false, "not valid JSON");
    }
  }

  private static String decodeUtf8(byte[] utf8) throws InvalidJsonException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidJsonException(false, "not valid UTF-8");
    }
  }

  private static ObjectNode readObjectBody(JsonParser parser, int depth)
      throws IOException, InvalidJsonException {
    ObjectNode object = NODES.objectNode();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      if (object.has(name)) {
        throw new InvalidJsonException(true, "duplicate member \"" + name + "\"");
      }
      parser.nextToken();
      object.set(name, readValue(parser, depth));
    }
    if (token != JsonToken.END_OBJECT) {
      throw new InvalidJsonException(false, "not valid JSON");
    }
    return object;
  }

  private static ArrayNode readArrayBody(JsonParser parser, int depth)
      throws IOException, InvalidJsonException {
    ArrayNode array = NODES.arrayNode();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      array.add(readValue(parser, depth));
    }
    return array;
  }

  private static JsonNode readValue(JsonParser parser, int depth)
      throws IOException, InvalidJsonException {
    JsonToken token = parser.currentToken();
    if (token == null) {
      throw new InvalidJsonException(false, "not valid JSON");
    }
    return switch (token) {
      case START_OBJECT -> readObjectBody(parser, depth + 1);
      case START_ARRAY -> readArrayBody(parser, depth + 1);
      case VALUE_STRING -> NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT -> NODES.numberNode(parser.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> throw new InvalidJsonException(false, "not valid JSON");
    };
  }

  /** JSON that this reader does not accept. */
  public static final class InvalidJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean duplicateMember;

    InvalidJsonException(boolean duplicateMember, String message) {
      super(message);
      this.duplicateMember = duplicateMember;
    }

    /** Returns whether the input was valid JSON apart from a repeated member name. */
    public boolean duplicateMember() {
      return duplicateMember;
    }
  }
}
