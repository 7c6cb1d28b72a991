package dev.gitward.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import dev.gitward.config.TokenSettings;
import dev.gitward.policy.Grant;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Mints task tokens signed by the first key of the ring, in exactly the form that {@link
 * JwtTokenVerifier} accepts.
 */
public final class TokenMinter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final TokenSettings settings;
  private final KeyRing keys;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TokenMinter(TokenSettings settings, KeyRing keys, Clock clock) {
    this.settings = settings;
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * Mints a token for {@code task} that is valid from now, truncated to the second, for {@code ttl}
   * truncated to whole seconds.
   *
   * @throws IllegalArgumentException when the task id is not 1 to 128 printable ASCII characters
   *     without spaces, {@code grants} is empty or longer than the configured maximum, {@code ttl}
   *     is under one second or over the configured maximum lifetime (it is rejected, not capped),
   *     or the token would exceed the maximum token size
   */
  public MintedToken mint(String task, List<Grant> grants, Duration ttl) {
    checkTask(task);
    checkGrants(grants);
    checkTtl(ttl);
    Instant issuedAt = Instant.ofEpochSecond(clock.instant().getEpochSecond());
    Instant expiresAt = issuedAt.plusSeconds(ttl.toSeconds());
    String tokenId = newTokenId();
    String signingInput =
        encode(header()) + "." + encode(claims(task, tokenId, issuedAt, expiresAt, grants));
    String token = signingInput + "." + sign(signingInput);
    if (token.length() > settings.maxTokenBytes()) {
      throw new IllegalArgumentException(
          "grants: the token would be "
              + token.length()
              + " bytes (expected: at most "
              + settings.maxTokenBytes()
              + " bytes; use fewer or shorter grants)");
    }
    return new MintedToken(token, tokenId, task, expiresAt);
  }

  private static void checkTask(String task) {
    if (task.isEmpty()
        || task.length() > ClaimsReader.MAX_ID_CHARS
        || !ClientText.isVisibleAscii(task)) {
      throw new IllegalArgumentException(
          "task: "
              + ClientText.quote(task)
              + " (expected: 1 to "
              + ClaimsReader.MAX_ID_CHARS
              + " printable ASCII characters without spaces)");
    }
  }

  private void checkGrants(List<Grant> grants) {
    if (grants.isEmpty() || grants.size() > settings.maxGrants()) {
      throw new IllegalArgumentException(
          "grants: " + grants.size() + " grants (expected: 1 to " + settings.maxGrants() + ")");
    }
  }

  private void checkTtl(Duration ttl) {
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(settings.maxTtl()) > 0) {
      throw new IllegalArgumentException(
          "ttl: "
              + ttl.toSeconds()
              + "s (expected: 1s to "
              + settings.maxTtl().toSeconds()
              + "s, the configured tokens.max-ttl)");
    }
  }

  private ObjectNode header() {
    ObjectNode header = JSON.createObjectNode();
    header.put("alg", keys.signingAlgorithm().getName());
    header.put("typ", TokenHeader.TYPE);
    header.put("kid", keys.signingKeyId());
    return header;
  }

  private ObjectNode claims(
      String task, String tokenId, Instant issuedAt, Instant expiresAt, List<Grant> grants) {
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", settings.issuer());
    claims.put("aud", settings.audience());
    claims.put("sub", task);
    claims.put("jti", tokenId);
    claims.put("iat", issuedAt.getEpochSecond());
    claims.put("nbf", issuedAt.getEpochSecond());
    claims.put("exp", expiresAt.getEpochSecond());
    claims.set("grants", GrantCodec.toJson(grants));
    return claims;
  }

  private String newTokenId() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return BASE64URL.encodeToString(bytes);
  }

  private static String encode(ObjectNode json) {
    try {
      return BASE64URL.encodeToString(JSON.writeValueAsBytes(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialize", e);
    }
  }

  private String sign(String signingInput) {
    JWSHeader header =
        new JWSHeader.Builder(keys.signingAlgorithm())
            .type(new JOSEObjectType(TokenHeader.TYPE))
            .keyID(keys.signingKeyId())
            .build();
    try {
      Base64URL signature =
          keys.signer().sign(header, signingInput.getBytes(StandardCharsets.US_ASCII));
      return signature.toString();
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed with key " + keys.signingKeyId(), e);
    }
  }
}
