package dev.gitward.token;

import static dev.gitward.token.TokenFixtures.EC_KEY;
import static dev.gitward.token.TokenFixtures.ED_KEY;
import static dev.gitward.token.TokenFixtures.FIXED_CLOCK;
import static dev.gitward.token.TokenFixtures.NOW_SECONDS;
import static dev.gitward.token.TokenFixtures.SETTINGS;
import static dev.gitward.token.TokenFixtures.claims;
import static dev.gitward.token.TokenFixtures.encode;
import static dev.gitward.token.TokenFixtures.header;
import static dev.gitward.token.TokenFixtures.json;
import static dev.gitward.token.TokenFixtures.sign;
import static dev.gitward.token.TokenFixtures.signRaw;
import static dev.gitward.token.TokenFixtures.signature;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.gitward.config.TokenSettings;
import dev.gitward.token.TokenRejectedException.Reason;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenAttackTest {
  private static final String ED_KID = ED_KEY.getKeyID();
  private static final String EC_KID = EC_KEY.getKeyID();

  private final JwtTokenVerifier verifier = verifier(SETTINGS);

  private static JwtTokenVerifier verifier(TokenSettings settings) {
    return new JwtTokenVerifier(
        settings, TokenFixtures.ring(), FIXED_CLOCK, new LocalRevocationList(FIXED_CLOCK));
  }

  private TokenRejectedException assertRejected(String token, Reason reason, String message) {
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(token));
    assertEquals(reason, error.reason(), error.getMessage());
    assertEquals(message, error.getMessage());
    return error;
  }

  private static Map<String, Object> claimsWith(String name, Object value) {
    Map<String, Object> claims = claims();
    claims.put(name, value);
    return claims;
  }

  private static Map<String, Object> claimsWithout(String name) {
    Map<String, Object> claims = claims();
    claims.remove(name);
    return claims;
  }

  private static Map<String, Object> headerWith(JWK key, String name, Object value) {
    Map<String, Object> header = header(key);
    header.put(name, value);
    return header;
  }

  @Test
  void validToken_verifies() throws Exception {
    assertEquals("task-1", verifier.verify(sign(ED_KEY, claims())).task());
    assertEquals("task-1", verifier.verify(sign(EC_KEY, claims())).task());
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNone_rejectedUnsignedAndSigned(String alg) {
    String signingInput =
        encode(json(headerWith(ED_KEY, "alg", alg))) + "." + encode(json(claims()));
    String message = "alg: " + alg + " (expected: EdDSA or ES256)";

    assertRejected(signingInput + ".", Reason.BAD_HEADER, message);
    assertRejected(
        signingInput + "." + signature(ED_KEY, signingInput), Reason.BAD_HEADER, message);
  }

  @Test
  void hs256WithPublicKeyBytes_rejected() throws Exception {
    ECKey ecPublic = EC_KEY.toECKey().toPublicJWK();
    byte[] der = ecPublic.toECPublicKey().getEncoded();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END PUBLIC KEY-----\n";
    OctetKeyPair edPublic = ED_KEY.toOctetKeyPair().toPublicJWK();
    Map<String, byte[]> secrets =
        Map.of(
            EC_KID + " PEM", pem.getBytes(StandardCharsets.US_ASCII),
            EC_KID + " DER", der,
            EC_KID + " JWK", ecPublic.toJSONString().getBytes(StandardCharsets.UTF_8),
            ED_KID + " raw", edPublic.getDecodedX(),
            ED_KID + " JWK", edPublic.toJSONString().getBytes(StandardCharsets.UTF_8));

    for (Map.Entry<String, byte[]> secret : secrets.entrySet()) {
      String kid = secret.getKey().split(" ")[0];
      Map<String, Object> header = header(ED_KEY);
      header.put("alg", "HS256");
      header.put("kid", kid);
      String signingInput = encode(json(header)) + "." + encode(json(claims()));
      String mac =
          new MACSigner(secret.getValue())
              .sign(
                  new JWSHeader(JWSAlgorithm.HS256),
                  signingInput.getBytes(StandardCharsets.US_ASCII))
              .toString();
      assertRejected(
          signingInput + "." + mac, Reason.BAD_HEADER, "alg: HS256 (expected: EdDSA or ES256)");
    }
  }

  @Test
  void es256TokenForEdDsaKey_rejected() {
    String token = sign(EC_KEY, headerWith(EC_KEY, "kid", ED_KID), claims());
    assertRejected(
        token,
        Reason.BAD_HEADER,
        "alg: ES256 for key " + ED_KID + " (expected: EdDSA, the only algorithm of that key)");
  }

  @Test
  void edDsaTokenForEs256Key_rejected() {
    String token = sign(ED_KEY, headerWith(ED_KEY, "kid", EC_KID), claims());
    assertRejected(
        token,
        Reason.BAD_HEADER,
        "alg: EdDSA for key " + EC_KID + " (expected: ES256, the only algorithm of that key)");
  }

  @Test
  void signatureOfOtherKeyWithSameAlg_rejected() {
    JWK attacker = SigningKeys.generate(JWSAlgorithm.EdDSA, FIXED_CLOCK);
    String token = sign(attacker, headerWith(attacker, "kid", ED_KID), claims());
    assertRejected(
        token,
        Reason.BAD_SIGNATURE,
        "signature: invalid for key "
            + ED_KID
            + " (expected: a EdDSA signature by that key over"
            + " the header and payload)");
  }

  @Test
  void emptySignature_rejected() {
    String signed = sign(ED_KEY, claims());
    String token = signed.substring(0, signed.lastIndexOf('.') + 1);
    assertRejected(
        token,
        Reason.BAD_SIGNATURE,
        "signature: invalid for key "
            + ED_KID
            + " (expected: a EdDSA signature by that key over"
            + " the header and payload)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"unknown", "../../etc/passwd", "' OR 1=1 --", "http://127.0.0.1:1/key"})
  void unknownKid_rejected(String kid) {
    String token = sign(ED_KEY, headerWith(ED_KEY, "kid", kid), claims());
    assertRejected(
        token,
        Reason.UNKNOWN_KEY,
        "kid: "
            + kid
            + " is not a configured key (expected: one of "
            + ED_KID
            + ", "
            + EC_KID
            + ")");
  }

  @Test
  void unknownKid_sanitisedAndTruncated() {
    String kid = "line\nbreak\u00e9" + "x".repeat(200);
    String token = sign(ED_KEY, headerWith(ED_KEY, "kid", kid), claims());
    assertRejected(
        token,
        Reason.UNKNOWN_KEY,
        "kid: line?break?"
            + "x".repeat(53)
            + "... is not a configured key (expected: one of "
            + ED_KID
            + ", "
            + EC_KID
            + ")");
  }

  @Test
  void kidNotString_rejected() {
    String token = sign(ED_KEY, headerWith(ED_KEY, "kid", 7), claims());
    assertRejected(token, Reason.BAD_HEADER, "kid: 7 (expected: a string)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jku", "x5u"})
  void urlHeaders_rejectedWithoutConnecting(String name) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + server.getLocalPort() + "/keys.json";
      String token = sign(ED_KEY, headerWith(ED_KEY, name, url), claims());

      assertRejected(
          token,
          Reason.BAD_HEADER,
          "header: " + name + " not allowed (expected: only alg, typ and kid)");
      server.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, server::accept);
    }
  }

  @Test
  void embeddedJwk_rejected() {
    JWK attacker = SigningKeys.generate(JWSAlgorithm.EdDSA, FIXED_CLOCK);
    Map<String, Object> header = headerWith(attacker, "jwk", attacker.toPublicJWK().toJSONObject());
    assertRejected(
        sign(attacker, header, claims()),
        Reason.BAD_HEADER,
        "header: jwk not allowed (expected: only alg, typ and kid)");
  }

  @Test
  void embeddedX5c_rejected() {
    Map<String, Object> header = headerWith(ED_KEY, "x5c", List.of("MIIBszCCAVmgAwIBAgIU"));
    assertRejected(
        sign(ED_KEY, header, claims()),
        Reason.BAD_HEADER,
        "header: x5c not allowed (expected: only alg, typ and kid)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"crit", "cty", "zip", "b64", "x5t", "enc", "epk", "foo"})
  void otherHeaders_rejected(String name) {
    Object value = name.equals("crit") ? List.of("exp") : name.equals("b64") ? false : "JWT";
    assertRejected(
        sign(ED_KEY, headerWith(ED_KEY, name, value), claims()),
        Reason.BAD_HEADER,
        "header: " + name + " not allowed (expected: only alg, typ and kid)");
  }

  @Test
  void jwe_rejected() {
    String jwe =
        encode("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAA";
    assertRejected(
        jwe,
        Reason.MALFORMED,
        "token: 5 segments, a JWE; encrypted tokens are not accepted (expected: a signed JWS of"
            + " 3 segments)");
  }

  @Test
  void nestedJwtPayload_rejected() {
    String inner = sign(ED_KEY, claims());
    assertRejected(
        signRaw(ED_KEY, json(headerWith(ED_KEY, "cty", "JWT")), inner),
        Reason.BAD_HEADER,
        "header: cty not allowed (expected: only alg, typ and kid)");
    assertRejected(
        signRaw(ED_KEY, json(header(ED_KEY)), inner),
        Reason.MALFORMED,
        "payload: not valid JSON (expected: a JSON object of claims, each member once)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a.b", "a.b.c.d", "a.b.c.d.e.f", "...."})
  void wrongSegmentCount_rejected(String token) {
    long segments = token.chars().filter(c -> c == '.').count() + 1;
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(token));
    assertEquals(Reason.MALFORMED, error.reason());
    assertTrue(
        error.getMessage().startsWith("token: " + segments + " segments"), error.getMessage());
  }

  @Test
  void paddedBase64_rejected() {
    String token = sign(ED_KEY, claims());
    int dot = token.indexOf('.');
    assertRejected(
        token.substring(0, dot) + "=" + token.substring(dot),
        Reason.MALFORMED,
        "header: invalid character at offset " + dot + " (expected: base64url without padding)");
  }

  @Test
  void standardBase64Alphabet_rejected() {
    String header = encode(json(header(ED_KEY)));
    assertRejected(
        header + ".ab+/." + "AAAA",
        Reason.MALFORMED,
        "payload: invalid character at offset 2 (expected: base64url without padding)");
  }

  @Test
  void nonCanonicalBase64_rejected() {
    String headerJson = json(header(ED_KEY));
    while (encode(headerJson).length() % 4 == 0) {
      headerJson += " ";
    }
    String header = encode(headerJson);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = header.charAt(header.length() - 1);
    // The lowest bit of the last character is unused when the length is not a multiple of 4.
    char flipped = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    String variant = header.substring(0, header.length() - 1) + flipped;
    assertTrue(
        java.util.Arrays.equals(
            Base64.getUrlDecoder().decode(header), Base64.getUrlDecoder().decode(variant)));

    assertRejected(
        variant + "." + encode(json(claims())) + ".AAAA",
        Reason.MALFORMED,
        "header: non-canonical base64url (expected: unused bits set to zero)");
  }

  @Test
  void expMissing_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWithout("exp")),
        Reason.BAD_CLAIMS,
        "exp: missing (expected: an integer number of seconds since the epoch)");
  }

  @Test
  void expPast_rejected() {
    Map<String, Object> claims = claimsWith("exp", NOW_SECONDS - 60);
    claims.put("iat", NOW_SECONDS - 600);
    claims.put("nbf", NOW_SECONDS - 600);
    assertRejected(
        sign(ED_KEY, claims),
        Reason.EXPIRED_OR_NOT_YET_VALID,
        "token expired at 2026-12-04T09:59:00Z (now 2026-12-04T10:00:00Z, clock skew 60s)");
  }

  @Test
  void expWithinSkew_accepted() throws Exception {
    Map<String, Object> claims = claimsWith("exp", NOW_SECONDS - 59);
    claims.put("iat", NOW_SECONDS - 600);
    claims.put("nbf", NOW_SECONDS - 600);
    assertEquals("task-1", verifier.verify(sign(ED_KEY, claims)).task());
  }

  @Test
  void expBeyondMaxTtl_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("exp", NOW_SECONDS + 3601)),
        Reason.EXPIRED_OR_NOT_YET_VALID,
        "token lifetime 3601s from iat to exp (expected: at most 3600s)");
    assertRejected(
        sign(ED_KEY, claimsWith("exp", 253_402_300_799L)),
        Reason.EXPIRED_OR_NOT_YET_VALID,
        "token lifetime "
            + (253_402_300_799L - NOW_SECONDS)
            + "s from iat to exp (expected: at"
            + " most 3600s)");
  }

  @Test
  void expNotAfterIat_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("exp", NOW_SECONDS)),
        Reason.BAD_CLAIMS,
        "exp: 2026-12-04T10:00:00Z (expected: after iat 2026-12-04T10:00:00Z)");
  }

  @Test
  void expString_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("exp", String.valueOf(NOW_SECONDS + 600))),
        Reason.BAD_CLAIMS,
        "exp: \""
            + (NOW_SECONDS + 600)
            + "\" (expected: an integer number of seconds since the"
            + " epoch, up to 253402300799)");
  }

  @Test
  void expFloat_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("exp", new BigDecimal((NOW_SECONDS + 600) + ".0"))),
        Reason.BAD_CLAIMS,
        "exp: "
            + (NOW_SECONDS + 600)
            + ".0 (expected: an integer number of seconds since the"
            + " epoch, up to 253402300799)");
    assertRejected(
        signRaw(
            ED_KEY,
            json(header(ED_KEY)),
            json(claims()).replace("\"exp\":" + (NOW_SECONDS + 600), "\"exp\":1.7963788E9")),
        Reason.BAD_CLAIMS,
        "exp: 1.7963788E+9 (expected: an integer number of seconds since the epoch, up to"
            + " 253402300799)");
  }

  @Test
  void expNegativeOrHuge_rejected() {
    String expected =
        " (expected: an integer number of seconds since the epoch, up to 253402300799)";
    assertRejected(sign(ED_KEY, claimsWith("exp", -1)), Reason.BAD_CLAIMS, "exp: -1" + expected);
    assertRejected(
        sign(ED_KEY, claimsWith("exp", new java.math.BigInteger("99999999999999999999999"))),
        Reason.BAD_CLAIMS,
        "exp: 99999999999999999999999" + expected);
  }

  @Test
  void nbfFuture_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("nbf", NOW_SECONDS + 61)),
        Reason.EXPIRED_OR_NOT_YET_VALID,
        "token not valid before 2026-12-04T10:01:01Z (now 2026-12-04T10:00:00Z, clock skew 60s)");
  }

  @Test
  void iatFuture_rejected() {
    Map<String, Object> claims = claimsWith("iat", NOW_SECONDS + 61);
    claims.remove("nbf");
    assertRejected(
        sign(ED_KEY, claims),
        Reason.EXPIRED_OR_NOT_YET_VALID,
        "token issued in the future at 2026-12-04T10:01:01Z (now 2026-12-04T10:00:00Z, clock skew"
            + " 60s)");
  }

  @Test
  void iatWithinSkew_accepted() throws Exception {
    Map<String, Object> claims = claimsWith("iat", NOW_SECONDS + 60);
    claims.put("nbf", NOW_SECONDS + 60);
    assertEquals("task-1", verifier.verify(sign(ED_KEY, claims)).task());
  }

  @Test
  void audWrong_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("aud", "other")),
        Reason.WRONG_AUDIENCE_OR_ISSUER,
        "aud: other (expected: gitward)");
  }

  @Test
  void audMissingOrEmpty_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWithout("aud")),
        Reason.BAD_CLAIMS,
        "aud: missing (expected: a non-empty string)");
    assertRejected(
        sign(ED_KEY, claimsWith("aud", "")),
        Reason.BAD_CLAIMS,
        "aud: \"\" (expected: a non-empty string)");
  }

  @Test
  void audArray_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("aud", List.of("gitward", "other"))),
        Reason.BAD_CLAIMS,
        "aud: an array (expected: one string)");
    assertRejected(
        sign(ED_KEY, claimsWith("aud", List.of("gitward"))),
        Reason.BAD_CLAIMS,
        "aud: an array (expected: one string)");
  }

  @Test
  void issWrong_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("iss", "gitward-staging")),
        Reason.WRONG_AUDIENCE_OR_ISSUER,
        "iss: gitward-staging (expected: gitward)");
  }

  @Test
  void typMissingOrWrong_rejected() {
    Map<String, Object> noType = header(ED_KEY);
    noType.remove("typ");
    assertRejected(
        sign(ED_KEY, noType, claims()),
        Reason.BAD_HEADER,
        "typ: missing (expected: alg, typ and kid in the header)");
    assertRejected(
        sign(ED_KEY, headerWith(ED_KEY, "typ", "JWT"), claims()),
        Reason.BAD_HEADER,
        "typ: JWT (expected: gitward+jwt)");
  }

  @Test
  void duplicateTopLevelClaim_rejected() {
    String payload =
        json(claims()).replace("{\"iss\":\"gitward\"", "{\"iss\":\"x\",\"iss\":\"gitward\"");
    assertRejected(
        signRaw(ED_KEY, json(header(ED_KEY)), payload),
        Reason.BAD_CLAIMS,
        "payload: duplicate member \"iss\" (expected: a JSON object of claims, each member once)");
  }

  @Test
  void duplicateGrantMember_rejected() {
    String payload =
        json(claims())
            .replaceFirst(
                java.util.regex.Pattern.quote("\"repo\":\"github.com/acme/widgets\""),
                "\"repo\":\"github.com/acme/secret\",\"repo\":\"github.com/acme/widgets\"");
    assertTrue(payload.contains("secret"), payload);
    assertRejected(
        signRaw(ED_KEY, json(header(ED_KEY)), payload),
        Reason.BAD_CLAIMS,
        "payload: duplicate member \"repo\" (expected: a JSON object of claims, each member"
            + " once)");
  }

  @Test
  void duplicateHeaderMember_rejected() {
    String header =
        "{\"alg\":\"none\",\"alg\":\"EdDSA\",\"typ\":\"gitward+jwt\",\"kid\":\"" + ED_KID + "\"}";
    assertRejected(
        signRaw(ED_KEY, header, json(claims())),
        Reason.BAD_HEADER,
        "header: duplicate member \"alg\" (expected: a JSON object with alg, typ and kid, each"
            + " once)");
  }

  @Test
  void trailingContent_rejected() {
    assertRejected(
        signRaw(ED_KEY, json(header(ED_KEY)), json(claims()) + "{}"),
        Reason.MALFORMED,
        "payload: content after the JSON object (expected: a JSON object of claims, each member"
            + " once)");
  }

  @Test
  void unknownClaim_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("admin", true)),
        Reason.BAD_CLAIMS,
        "admin: claim not allowed (expected: only iss, aud, sub, jti, iat, nbf, exp and grants)");
  }

  @Test
  void badSubOrJti_rejected() {
    String expected = " (expected: 1 to 128 printable ASCII characters without spaces)";
    assertRejected(
        sign(ED_KEY, claimsWith("sub", "x".repeat(129))),
        Reason.BAD_CLAIMS,
        "sub: " + "x".repeat(64) + "..." + expected);
    assertRejected(
        sign(ED_KEY, claimsWith("jti", "a b")), Reason.BAD_CLAIMS, "jti: a b" + expected);
    assertRejected(
        sign(ED_KEY, claimsWith("jti", "caf\u00e9")), Reason.BAD_CLAIMS, "jti: caf?" + expected);
  }

  @Test
  void badGrants_rejected() {
    assertRejected(
        sign(ED_KEY, claimsWith("grants", List.of())),
        Reason.BAD_CLAIMS,
        "grants: [] (expected: a non-empty array of grants)");
    assertRejected(
        sign(
            ED_KEY,
            claimsWith(
                "grants", List.of(Map.of("repo", "github.com/a/b", "actions", List.of("push"))))),
        Reason.BAD_CLAIMS,
        "grants[0].actions: unknown action \"push\" (expected: a non-empty array of fetch, create,"
            + " update, force, delete)");
    assertRejected(
        sign(
            ED_KEY,
            claimsWith(
                "grants",
                List.of(Map.of("repo", "github.com/a/b", "actions", List.of("fetch", "fetch"))))),
        Reason.BAD_CLAIMS,
        "grants[0].actions: fetch twice (expected: each action once)");
    assertRejected(
        sign(
            ED_KEY,
            claimsWith(
                "grants",
                List.of(
                    Map.of("repo", "github.com/a/b", "actions", List.of("fetch"), "admin", true)))),
        Reason.BAD_CLAIMS,
        "grants[0].admin: not allowed (expected: only repo, actions and refs)");
    assertRejected(
        sign(
            ED_KEY,
            claimsWith(
                "grants",
                List.of(Map.of("repo", "github.com/a/../b", "actions", List.of("fetch"))))),
        Reason.BAD_CLAIMS,
        "grants[0]: repository: a/../b (expected: segments of letters, digits, '.', '_' and '-',"
            + " separated by single slashes, none of them '.' or '..')");
    assertRejected(
        sign(
            ED_KEY,
            claimsWith(
                "grants", List.of(Map.of("repo", "github.com/a/b", "actions", List.of("create"))))),
        Reason.BAD_CLAIMS,
        "grants[0]: refs: missing for github.com/a/b (expected: a ref pattern such as"
            + " refs/heads/agent/** for actions create, update, force and delete)");
    assertRejected(
        sign(
            ED_KEY,
            claimsWith(
                "grants",
                List.of(
                    Map.of(
                        "repo",
                        "github.com/a/b",
                        "actions",
                        List.of("create"),
                        "refs",
                        "refs/heads/a\nb")))),
        Reason.BAD_CLAIMS,
        "grants[0]: refs: refs/heads/a?b (expected: no spaces, control characters or any of \\ ?"
            + " [ ~ ^ :)");
  }

  @Test
  void oneMebibyteToken_rejectedBySize() {
    String token = "a".repeat(1024 * 1024);
    assertRejected(
        token,
        Reason.TOO_LARGE,
        "token: 1048576 bytes (expected: at most 8192 bytes, tokens.max-size)");
  }

  @Test
  void hundredThousandGrants_rejectedBySize() {
    List<Object> grants = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      grants.add(Map.of("repo", "github.com/a/r" + i, "actions", List.of("fetch")));
    }
    String token = sign(ED_KEY, claimsWith("grants", grants));
    assertRejected(
        token,
        Reason.TOO_LARGE,
        "token: " + token.length() + " bytes (expected: at most 8192 bytes, tokens.max-size)");
  }

  @Test
  void tooManyGrants_rejectedWithRaisedSizeLimit() throws Exception {
    List<Object> grants = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      grants.add(Map.of("repo", "github.com/a/r" + i, "actions", List.of("fetch")));
    }
    JwtTokenVerifier large = verifier(TokenFixtures.settings(1024 * 1024, 100));
    TokenRejectedException error =
        assertThrows(
            TokenRejectedException.class,
            () -> large.verify(sign(ED_KEY, claimsWith("grants", grants))));
    assertEquals(Reason.BAD_CLAIMS, error.reason());
    assertEquals(
        "grants: 101 grants (expected: at most 100, tokens.max-grants)", error.getMessage());

    assertEquals(
        100,
        large.verify(sign(ED_KEY, claimsWith("grants", grants.subList(0, 100)))).grants().size());
  }

  @Test
  void deeplyNestedPayload_rejected() {
    String nested = "[".repeat(40) + "]".repeat(40);
    assertRejected(
        signRaw(ED_KEY, json(header(ED_KEY)), json(claims()).replace("\"jti-1\"", nested)),
        Reason.MALFORMED,
        "payload: not valid JSON (expected: a JSON object of claims, each member once)");
  }

  @Test
  void randomGarbage_alwaysRejected() {
    Random random = new Random(20261204);
    String alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u00e9\n";
    for (int i = 0; i < 3000; i++) {
      StringBuilder token = new StringBuilder();
      int length = random.nextInt(300);
      for (int j = 0; j < length; j++) {
        token.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertRejectedSafely(token.toString());
    }
  }

  @Test
  void randomSegments_alwaysRejected() {
    Random random = new Random(42);
    String header = encode(json(header(ED_KEY)));
    for (int i = 0; i < 2000; i++) {
      byte[] payload = new byte[random.nextInt(200)];
      random.nextBytes(payload);
      String signingInput = header + "." + encode(payload);
      assertRejectedSafely(signingInput + "." + signature(ED_KEY, signingInput));
    }
  }

  @Test
  void mutatedSignedClaims_rejectedOrValid() {
    Random random = new Random(7);
    String valid = json(claims());
    String structural = "{}[]\",:0123456789.-eE truefalsnul\\u";
    for (int i = 0; i < 3000; i++) {
      StringBuilder payload = new StringBuilder(valid);
      for (int edits = 1 + random.nextInt(3); edits > 0 && payload.length() > 0; edits--) {
        int at = random.nextInt(payload.length());
        if (random.nextBoolean()) {
          payload.deleteCharAt(at);
        } else {
          payload.insert(at, structural.charAt(random.nextInt(structural.length())));
        }
      }
      String token = signRaw(ED_KEY, json(header(ED_KEY)), payload.toString());
      try {
        verifier.verify(token);
      } catch (TokenRejectedException e) {
        assertSafeMessage(e, token);
      }
    }
  }

  @Test
  void flippedCharacter_alwaysRejected() {
    Random random = new Random(99);
    String token = sign(ED_KEY, claims());
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 1000; i++) {
      char[] chars = token.toCharArray();
      int at = random.nextInt(chars.length);
      char replacement = alphabet.charAt(random.nextInt(alphabet.length()));
      if (chars[at] == '.' || chars[at] == replacement) {
        continue;
      }
      chars[at] = replacement;
      assertRejectedSafely(new String(chars));
    }
  }

  private void assertRejectedSafely(String token) {
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(token), token);
    assertSafeMessage(error, token);
  }

  private static void assertSafeMessage(TokenRejectedException error, String token) {
    String message = error.getMessage();
    assertTrue(message.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), message);
    assertTrue(message.length() <= 500, message);
    if (token.length() > 40) {
      assertFalse(message.contains(token), message);
    }
  }
}
