package dev.gitward.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.gitward.config.TokenSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys, settings and raw token builders shared by the token tests. */
final class TokenFixtures {
  static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
  static final long NOW_SECONDS = NOW.getEpochSecond();
  static final Clock FIXED_CLOCK = Clock.fixed(NOW, java.time.ZoneOffset.UTC);

  static final JWK ED_KEY = SigningKeys.generate(JWSAlgorithm.EdDSA, FIXED_CLOCK);
  static final JWK EC_KEY = SigningKeys.generate(JWSAlgorithm.ES256, FIXED_CLOCK);

  static final TokenSettings SETTINGS = settings(TokenSettings.DEFAULT_MAX_TOKEN_BYTES, 100);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private TokenFixtures() {}

  static TokenSettings settings(int maxTokenBytes, int maxGrants) {
    return new TokenSettings(
        "gitward",
        "gitward",
        List.of(Path.of("unused.jwk")),
        Duration.ofHours(1),
        Duration.ofSeconds(60),
        maxTokenBytes,
        maxGrants);
  }

  /** Returns a ring of the Ed25519 key (signing) and the P-256 key. */
  static KeyRing ring() {
    return KeyRing.of(List.of(ED_KEY, EC_KEY));
  }

  /** Returns the header members that a valid token signed by {@code key} has. */
  static Map<String, Object> header(JWK key) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", key.getAlgorithm().getName());
    header.put("typ", "gitward+jwt");
    header.put("kid", key.getKeyID());
    return header;
  }

  /** Returns the claims of a valid token issued now for ten minutes. */
  static Map<String, Object> claims() {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", "gitward");
    claims.put("aud", "gitward");
    claims.put("sub", "task-1");
    claims.put("jti", "jti-1");
    claims.put("iat", NOW_SECONDS);
    claims.put("nbf", NOW_SECONDS);
    claims.put("exp", NOW_SECONDS + 600);
    claims.put(
        "grants",
        List.of(
            Map.of("repo", "github.com/acme/widgets", "actions", List.of("fetch")),
            Map.of(
                "repo",
                "github.com/acme/widgets",
                "actions",
                List.of("create", "update"),
                "refs",
                "refs/heads/agent/**")));
    return claims;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String encode(String text) {
    return BASE64URL.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String encode(byte[] bytes) {
    return BASE64URL.encodeToString(bytes);
  }

  /** Signs the raw header and payload JSON with {@code key}, whatever they contain. */
  static String signRaw(JWK key, String headerJson, String payloadJson) {
    String signingInput = encode(headerJson) + "." + encode(payloadJson);
    return signingInput + "." + signature(key, signingInput);
  }

  /** Signs a token with {@code key} from header and claim maps. */
  static String sign(JWK key, Map<String, Object> header, Map<String, Object> claims) {
    return signRaw(key, json(header), json(claims));
  }

  /** Signs a valid token with {@code key} and the given claims. */
  static String sign(JWK key, Map<String, Object> claims) {
    return sign(key, header(key), claims);
  }

  static String signature(JWK key, String signingInput) {
    try {
      JWSSigner signer =
          key instanceof OctetKeyPair okp ? new Ed25519Signer(okp) : new ECDSASigner((ECKey) key);
      JWSAlgorithm algorithm = JWSAlgorithm.parse(key.getAlgorithm().getName());
      return signer
          .sign(new JWSHeader(algorithm), signingInput.getBytes(StandardCharsets.US_ASCII))
          .toString();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
