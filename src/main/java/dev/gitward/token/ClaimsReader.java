package dev.gitward.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gitward.config.TokenSettings;
import dev.gitward.policy.Grant;
import dev.gitward.token.TokenRejectedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads the claims of a token whose signature has verified, under a closed grammar: exactly {@code
 * iss}, {@code aud}, {@code sub}, {@code jti}, {@code iat}, {@code exp} and {@code grants}, and
 * optionally {@code nbf}.
 */
final class ClaimsReader {
  /** Maximum length of {@code sub} and {@code jti}. */
  static final int MAX_ID_CHARS = 128;

  /** Latest accepted time in seconds, 9999-12-31T23:59:59Z, which keeps time arithmetic exact. */
  static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private static final Set<String> CLAIMS =
      Set.of("iss", "aud", "sub", "jti", "iat", "nbf", "exp", "grants");

  private final TokenSettings settings;

  ClaimsReader(TokenSettings settings) {
    this.settings = settings;
  }

  /**
   * Checks the claims in {@code json} at time {@code now} and returns them.
   *
   * @throws TokenRejectedException with {@link Reason#BAD_CLAIMS}, {@link
   *     Reason#WRONG_AUDIENCE_OR_ISSUER} or {@link Reason#EXPIRED_OR_NOT_YET_VALID}
   */
  TaskToken read(byte[] json, Instant now) throws TokenRejectedException {
    ObjectNode claims = parse(json);
    checkNames(claims);
    String issuer = requireText(claims, "iss");
    String audience = requireAudience(claims);
    String task = requireId(claims, "sub");
    String tokenId = requireId(claims, "jti");
    Instant issuedAt = requireTime(claims, "iat");
    Instant expiresAt = requireTime(claims, "exp");
    Instant notBefore = claims.has("nbf") ? requireTime(claims, "nbf") : issuedAt;
    List<Grant> grants = readGrants(claims.get("grants"));
    checkIssuerAndAudience(issuer, audience);
    checkTimes(issuedAt, notBefore, expiresAt, now);
    return new TaskToken(task, tokenId, issuedAt, notBefore, expiresAt, grants);
  }

  private static ObjectNode parse(byte[] json) throws TokenRejectedException {
    try {
      return StrictJsonReader.readObject(json);
    } catch (StrictJsonReader.InvalidJsonException e) {
      Reason reason = e.duplicateMember() ? Reason.BAD_CLAIMS : Reason.MALFORMED;
      throw new TokenRejectedException(
          reason,
          "payload: "
              + ClientText.quote(e.getMessage())
              + " (expected: a JSON object of"
              + " claims, each member once)");
    }
  }

  private static void checkNames(ObjectNode claims) throws TokenRejectedException {
    for (Iterator<String> names = claims.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!CLAIMS.contains(name)) {
        throw badClaims(
            ClientText.quote(name)
                + ": claim not allowed (expected: only iss, aud,"
                + " sub, jti, iat, nbf, exp and grants)");
      }
    }
  }

  private static String requireText(ObjectNode claims, String name) throws TokenRejectedException {
    JsonNode value = claims.get(name);
    if (value == null) {
      throw badClaims(name + ": missing (expected: a non-empty string)");
    }
    if (!value.isTextual() || value.textValue().isEmpty()) {
      throw badClaims(
          name
              + ": "
              + ClientText.quote(GrantCodec.describe(value))
              + " (expected: a non-empty string)");
    }
    return value.textValue();
  }

  private static String requireAudience(ObjectNode claims) throws TokenRejectedException {
    JsonNode value = claims.get("aud");
    if (value != null && value.isArray()) {
      // RFC 7519 allows an array, but a task token is for exactly one audience.
      throw badClaims("aud: an array (expected: one string)");
    }
    return requireText(claims, "aud");
  }

  private static String requireId(ObjectNode claims, String name) throws TokenRejectedException {
    String value = requireText(claims, name);
    if (value.length() > MAX_ID_CHARS || !ClientText.isVisibleAscii(value)) {
      throw badClaims(
          name
              + ": "
              + ClientText.quote(value)
              + " (expected: 1 to "
              + MAX_ID_CHARS
              + " printable ASCII characters without spaces)");
    }
    return value;
  }

  private static Instant requireTime(ObjectNode claims, String name) throws TokenRejectedException {
    JsonNode value = claims.get(name);
    if (value == null) {
      throw badClaims(name + ": missing (expected: an integer number of seconds since the epoch)");
    }
    boolean inRange =
        value.isIntegralNumber()
            && value.canConvertToLong()
            && value.longValue() >= 0
            && value.longValue() <= MAX_EPOCH_SECOND;
    if (!inRange) {
      throw badClaims(
          name
              + ": "
              + ClientText.quote(GrantCodec.describe(value))
              + " (expected: an integer number of seconds since the epoch, up to "
              + MAX_EPOCH_SECOND
              + ")");
    }
    return Instant.ofEpochSecond(value.longValue());
  }

  private List<Grant> readGrants(JsonNode grants) throws TokenRejectedException {
    if (grants == null) {
      throw badClaims("grants: missing (expected: a non-empty array of grants)");
    }
    try {
      return GrantCodec.fromJson(grants, settings.maxGrants());
    } catch (IllegalArgumentException e) {
      throw badClaims(ClientText.line(e.getMessage()));
    }
  }

  private void checkIssuerAndAudience(String issuer, String audience)
      throws TokenRejectedException {
    if (!issuer.equals(settings.issuer())) {
      throw new TokenRejectedException(
          Reason.WRONG_AUDIENCE_OR_ISSUER,
          "iss: " + ClientText.quote(issuer) + " (expected: " + settings.issuer() + ")");
    }
    if (!audience.equals(settings.audience())) {
      throw new TokenRejectedException(
          Reason.WRONG_AUDIENCE_OR_ISSUER,
          "aud: " + ClientText.quote(audience) + " (expected: " + settings.audience() + ")");
    }
  }

  private void checkTimes(Instant issuedAt, Instant notBefore, Instant expiresAt, Instant now)
      throws TokenRejectedException {
    Duration skew = settings.clockSkew();
    Instant latestStart = now.plus(skew);
    if (issuedAt.isAfter(latestStart)) {
      throw notValid("token issued in the future at " + issuedAt + clockContext(now));
    }
    if (notBefore.isAfter(latestStart)) {
      throw notValid("token not valid before " + notBefore + clockContext(now));
    }
    if (!expiresAt.isAfter(issuedAt)) {
      throw badClaims("exp: " + expiresAt + " (expected: after iat " + issuedAt + ")");
    }
    Duration lifetime = Duration.between(issuedAt, expiresAt);
    if (lifetime.compareTo(settings.maxTtl()) > 0) {
      throw notValid(
          "token lifetime "
              + lifetime.toSeconds()
              + "s from iat to exp (expected: at most "
              + settings.maxTtl().toSeconds()
              + "s)");
    }
    if (!expiresAt.isAfter(now.minus(skew))) {
      throw notValid("token expired at " + expiresAt + clockContext(now));
    }
  }

  private String clockContext(Instant now) {
    return " (now " + now + ", clock skew " + settings.clockSkew().toSeconds() + "s)";
  }

  private static TokenRejectedException badClaims(String message) {
    return new TokenRejectedException(Reason.BAD_CLAIMS, message);
  }

  private static TokenRejectedException notValid(String message) {
    return new TokenRejectedException(Reason.EXPIRED_OR_NOT_YET_VALID, message);
  }
}
