package dev.gitward.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import dev.gitward.config.TokenSettings;
import dev.gitward.token.TokenRejectedException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;

/**
 * Verifies task tokens: compact JWS with a closed header and claim grammar, signed by a key of the
 * ring, then checked against the revocation list on every call.
 *
 * <p>Successful verifications are cached by the SHA-256 of the token text, up to the token's {@code
 * exp}, and the cache never contains the token text. A cached entry is used only while the clock is
 * before {@code exp}, and revocation is checked whether or not the entry came from the cache.
 * Verification never opens a network connection.
 */
public final class JwtTokenVerifier implements TokenVerifier {
  /** Default maximum number of cached verifications. */
  public static final long DEFAULT_CACHE_SIZE = 100_000;

  private final TokenSettings settings;
  private final KeyRing keys;
  private final Clock clock;
  private final RevocationList revocations;
  private final ClaimsReader claimsReader;
  private final Cache<ByteBuffer, TaskToken> verified;

  public JwtTokenVerifier(
      TokenSettings settings, KeyRing keys, Clock clock, RevocationList revocations) {
    this(settings, keys, clock, revocations, DEFAULT_CACHE_SIZE);
  }

  public JwtTokenVerifier(
      TokenSettings settings,
      KeyRing keys,
      Clock clock,
      RevocationList revocations,
      long cacheSize) {
    this.settings = settings;
    this.keys = keys;
    this.clock = clock;
    this.revocations = revocations;
    this.claimsReader = new ClaimsReader(settings);
    this.verified =
        Caffeine.newBuilder()
            .maximumSize(cacheSize)
            .expireAfter(new UntilExpiry<ByteBuffer, TaskToken>(clock, TaskToken::expiresAt))
            .build();
  }

  @Override
  public TaskToken verify(String token) throws TokenRejectedException {
    checkSize(token);
    TaskToken claims = cachedOrVerified(token);
    checkRevocation(claims);
    return claims;
  }

  private void checkSize(String token) throws TokenRejectedException {
    // A char is at least one UTF-8 byte, and non-ASCII text fails the base64url check later.
    if (token.length() > settings.maxTokenBytes()) {
      throw new TokenRejectedException(
          Reason.TOO_LARGE,
          "token: "
              + token.length()
              + " bytes (expected: at most "
              + settings.maxTokenBytes()
              + " bytes, tokens.max-size)");
    }
  }

  private TaskToken cachedOrVerified(String token) throws TokenRejectedException {
    ByteBuffer digest = sha256(token);
    TaskToken cached = verified.getIfPresent(digest);
    if (cached != null && clock.instant().isBefore(cached.expiresAt())) {
      return cached;
    }
    TaskToken claims = verifyUncached(token);
    if (clock.instant().isBefore(claims.expiresAt())) {
      verified.put(digest, claims);
    }
    return claims;
  }

  private TaskToken verifyUncached(String token) throws TokenRejectedException {
    CompactJws jws = CompactJws.split(token);
    TokenHeader header = TokenHeader.read(jws.header(), keys);
    verifySignature(header, jws);
    return claimsReader.read(jws.payload(), clock.instant());
  }

  private static void verifySignature(TokenHeader header, CompactJws jws)
      throws TokenRejectedException {
    VerificationKey key = header.key();
    boolean valid;
    try {
      valid = key.verifier().verify(header.toJwsHeader(), jws.signingInput(), jws.signature());
    } catch (JOSEException e) {
      valid = false;
    }
    if (!valid) {
      throw new TokenRejectedException(
          Reason.BAD_SIGNATURE,
          "signature: invalid for key "
              + key.keyId()
              + " (expected: a "
              + key.algorithm()
              + " signature by that key over the header and payload)");
    }
  }

  private void checkRevocation(TaskToken claims) throws TokenRejectedException {
    boolean revoked;
    try {
      revoked = revocations.isRevoked(claims);
    } catch (RevocationUnavailableException e) {
      throw new TokenRejectedException(
          Reason.REVOCATION_UNAVAILABLE,
          "token "
              + claims.tokenId()
              + ": revocations cannot be checked now, so the token is not"
              + " accepted (expected: retry later)");
    }
    if (revoked) {
      throw new TokenRejectedException(
          Reason.REVOKED,
          "token "
              + claims.tokenId()
              + " of task "
              + claims.task()
              + " is revoked (expected: a token whose task and id were not revoked; revoking a"
              + " task also rejects tokens minted for it later)");
    }
  }

  /** Returns the number of cached verifications, for tests and metrics. */
  long cachedCount() {
    verified.cleanUp();
    return verified.estimatedSize();
  }

  private static ByteBuffer sha256(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return ByteBuffer.wrap(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
