package dev.gitward.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import dev.gitward.token.TokenRejectedException.Reason;
import java.util.Iterator;
import java.util.Set;

/**
 * The protected header of a task token, checked against a closed grammar: exactly the members
 * {@code alg}, {@code typ} and {@code kid}. Every other member, including {@code jku}, {@code jwk},
 * {@code x5u}, {@code x5c}, {@code crit}, {@code cty}, {@code zip} and {@code b64}, rejects the
 * token, so no header can make verification fetch a key, trust an embedded key, or change how the
 * payload is read.
 *
 * @param key the configured key that {@code kid} names and whose algorithm {@code alg} equals
 */
record TokenHeader(VerificationKey key) {
  /** The required {@code typ}, compared exactly. */
  static final String TYPE = "gitward+jwt";

  private static final Set<String> MEMBERS = Set.of("alg", "typ", "kid");
  private static final Set<String> ALGORITHMS = Set.of("EdDSA", "ES256");

  /**
   * Checks the decoded header and selects its key.
   *
   * @throws TokenRejectedException with {@link Reason#MALFORMED}, {@link Reason#BAD_HEADER} or
   *     {@link Reason#UNKNOWN_KEY}
   */
  static TokenHeader read(byte[] json, KeyRing keys) throws TokenRejectedException {
    ObjectNode header = parse(json);
    checkMembers(header);
    String type = requireText(header, "typ");
    if (!type.equals(TYPE)) {
      throw badHeader("typ: " + ClientText.quote(type) + " (expected: " + TYPE + ")");
    }
    String algorithm = requireText(header, "alg");
    if (!ALGORITHMS.contains(algorithm)) {
      throw badHeader("alg: " + ClientText.quote(algorithm) + " (expected: EdDSA or ES256)");
    }
    String keyId = requireText(header, "kid");
    VerificationKey key =
        keys.verifierFor(keyId)
            .orElseThrow(
                () ->
                    new TokenRejectedException(
                        Reason.UNKNOWN_KEY,
                        "kid: "
                            + ClientText.quote(keyId)
                            + " is not a configured key (expected: one of "
                            + String.join(", ", keys.keyIds())
                            + ")"));
    if (!key.algorithm().getName().equals(algorithm)) {
      throw badHeader(
          "alg: "
              + algorithm
              + " for key "
              + keyId
              + " (expected: "
              + key.algorithm()
              + ", the only algorithm of that key)");
    }
    return new TokenHeader(key);
  }

  /** Returns the nimbus header equivalent to this one, for the nimbus verifier. */
  JWSHeader toJwsHeader() {
    return new JWSHeader.Builder(key.algorithm())
        .type(new JOSEObjectType(TYPE))
        .keyID(key.keyId())
        .build();
  }

  private static ObjectNode parse(byte[] json) throws TokenRejectedException {
    try {
      return StrictJsonReader.readObject(json);
    } catch (StrictJsonReader.InvalidJsonException e) {
      Reason reason = e.duplicateMember() ? Reason.BAD_HEADER : Reason.MALFORMED;
      throw new TokenRejectedException(
          reason,
          "header: "
              + ClientText.quote(e.getMessage())
              + " (expected: a JSON object"
              + " with alg, typ and kid, each once)");
    }
  }

  private static void checkMembers(ObjectNode header) throws TokenRejectedException {
    for (Iterator<String> names = header.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!MEMBERS.contains(name)) {
        throw badHeader(
            "header: " + ClientText.quote(name) + " not allowed (expected: only alg, typ and kid)");
      }
    }
  }

  private static String requireText(ObjectNode header, String name) throws TokenRejectedException {
    JsonNode value = header.get(name);
    if (value == null) {
      throw badHeader(name + ": missing (expected: alg, typ and kid in the header)");
    }
    if (!value.isTextual()) {
      throw badHeader(
          name + ": " + ClientText.quote(GrantCodec.describe(value)) + " (expected: a string)");
    }
    return value.textValue();
  }

  private static TokenRejectedException badHeader(String message) {
    return new TokenRejectedException(Reason.BAD_HEADER, message);
  }
}
