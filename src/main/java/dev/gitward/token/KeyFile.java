package dev.gitward.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/** Reads one JWK file of the key ring. Errors describe the file, never its contents. */
final class KeyFile {
  /** Maximum size of a key file, far above the few hundred bytes of a P-256 or Ed25519 JWK. */
  static final int MAX_BYTES = 64 * 1024;

  static final String SUPPORTED_KEYS_DESCRIPTION =
      "an OKP Ed25519 key with alg EdDSA or an EC P-256 key with alg ES256";

  private KeyFile() {}

  /**
   * Reads the JWK in {@code file}.
   *
   * @param label the setting and file name that prefixes every error
   * @throws IllegalArgumentException when the file cannot be read or is not a single JWK object
   */
  static JWK read(Path file, String label) {
    byte[] bytes = readBounded(file, label);
    ObjectNode json;
    try {
      json = StrictJsonReader.readObject(bytes);
    } catch (StrictJsonReader.InvalidJsonException e) {
      throw invalid(label, e.getMessage(), "one JWK as a JSON object");
    }
    if (json.has("keys")) {
      throw invalid(label, "a JWK set", "one JWK object per file, not a JWK set");
    }
    requireText(json, "kid", label);
    requireText(json, "alg", label);
    try {
      return JWK.parse(new String(bytes, StandardCharsets.UTF_8));
    } catch (ParseException e) {
      // nimbus's message can quote member values, which may be key material.
      throw invalid(label, "not a valid JWK", SUPPORTED_KEYS_DESCRIPTION);
    }
  }

  private static byte[] readBounded(Path file, String label) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw invalid(label, "larger than " + MAX_BYTES + " bytes", "one JWK");
      }
      return bytes;
    } catch (IOException e) {
      throw invalid(
          label, "cannot be read (" + e.getClass().getSimpleName() + ")", "a readable file");
    }
  }

  private static void requireText(ObjectNode json, String member, String label) {
    JsonNode value = json.get(member);
    if (value == null) {
      throw invalid(label, member + " missing", "a JWK with \"kid\" and \"alg\"");
    }
    if (!value.isTextual()) {
      throw invalid(label, member + " is not a string", "a JWK with string \"kid\" and \"alg\"");
    }
  }

  static IllegalArgumentException invalid(String label, String problem, String expected) {
    return new IllegalArgumentException(label + ": " + problem + " (expected: " + expected + ")");
  }
}
