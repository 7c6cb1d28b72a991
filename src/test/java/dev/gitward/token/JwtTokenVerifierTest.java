package dev.gitward.token;

import static dev.gitward.token.TokenFixtures.EC_KEY;
import static dev.gitward.token.TokenFixtures.ED_KEY;
import static dev.gitward.token.TokenFixtures.NOW;
import static dev.gitward.token.TokenFixtures.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import dev.gitward.testing.TestClock;
import dev.gitward.token.TokenRejectedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JwtTokenVerifierTest {
  private static final List<Grant> GRANTS =
      List.of(
          new Grant(
              RepositoryName.parse("github.com/acme/widgets"),
              Set.of(Action.FETCH),
              Optional.empty()),
          new Grant(
              RepositoryName.parse("github.com/acme/widgets"),
              Set.of(Action.CREATE, Action.UPDATE),
              Optional.of(RefPattern.compile("refs/heads/agent/**"))));

  private final TestClock clock = new TestClock(NOW);
  private final LocalRevocationList revocations = new LocalRevocationList(clock);

  private JwtTokenVerifier verifier(KeyRing ring) {
    return new JwtTokenVerifier(SETTINGS, ring, clock, revocations);
  }

  private TokenMinter minter(KeyRing ring) {
    return new TokenMinter(SETTINGS, ring, clock);
  }

  @Test
  void roundTrip_ed25519() throws Exception {
    assertRoundTrip(KeyRing.of(List.of(ED_KEY)));
  }

  @Test
  void roundTrip_es256() throws Exception {
    assertRoundTrip(KeyRing.of(List.of(EC_KEY)));
  }

  private void assertRoundTrip(KeyRing ring) throws Exception {
    MintedToken minted = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(30));
    TaskToken token = verifier(ring).verify(minted.token());
    assertEquals("task-1", token.task());
    assertEquals(minted.tokenId(), token.tokenId());
    assertEquals(NOW, token.issuedAt());
    assertEquals(NOW, token.notBefore());
    assertEquals(NOW.plus(Duration.ofMinutes(30)), token.expiresAt());
    assertEquals(minted.expiresAt(), token.expiresAt());
    assertEquals(GRANTS, token.grants());
  }

  @Test
  void rotation_oldKeyStillVerifiesAsSecondKey() throws Exception {
    JWK newKey = SigningKeys.generate(JWSAlgorithm.EdDSA, clock);
    String oldToken =
        minter(KeyRing.of(List.of(ED_KEY))).mint("task-1", GRANTS, Duration.ofMinutes(5)).token();
    KeyRing rotated = KeyRing.of(List.of(newKey, ED_KEY.toPublicJWK()));

    assertEquals("task-1", verifier(rotated).verify(oldToken).task());
    String newToken = minter(rotated).mint("task-2", GRANTS, Duration.ofMinutes(5)).token();
    assertEquals("task-2", verifier(rotated).verify(newToken).task());
    assertEquals(newKey.getKeyID(), rotated.signingKeyId());
    String newHeader =
        new String(java.util.Base64.getUrlDecoder().decode(newToken.split("\\.")[0]));
    assertTrue(newHeader.contains("\"kid\":\"" + newKey.getKeyID() + "\""), newHeader);

    TokenRejectedException removed =
        assertThrows(
            TokenRejectedException.class,
            () -> verifier(KeyRing.of(List.of(newKey))).verify(oldToken));
    assertEquals(Reason.UNKNOWN_KEY, removed.reason());
  }

  @Test
  void revocation_byTaskRejectsCachedToken() throws Exception {
    KeyRing ring = TokenFixtures.ring();
    JwtTokenVerifier verifier = verifier(ring);
    MintedToken minted = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(5));
    verifier.verify(minted.token());
    assertEquals(1, verifier.cachedCount());

    revocations.revokeTask("task-1", RevocationList.latestValidity(SETTINGS, clock.instant()));
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(minted.token()));
    assertEquals(Reason.REVOKED, error.reason());
    assertEquals(
        "token "
            + minted.tokenId()
            + " of task task-1 is revoked (expected: a token whose task and id were not revoked;"
            + " revoking a task also rejects tokens minted for it later)",
        error.getMessage());
  }

  @Test
  void revocation_byTokenIdRejectsOnlyThatToken() throws Exception {
    KeyRing ring = TokenFixtures.ring();
    JwtTokenVerifier verifier = verifier(ring);
    MintedToken first = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(5));
    MintedToken second = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(5));
    TaskToken verified = verifier.verify(first.token());

    revocations.revokeTokenId(first.tokenId(), RevocationList.latestValidity(SETTINGS, verified));
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(first.token()));
    assertEquals(Reason.REVOKED, error.reason());
    assertEquals(second.tokenId(), verifier.verify(second.token()).tokenId());
  }

  @Test
  void revocation_endsAtUntil() throws Exception {
    KeyRing ring = TokenFixtures.ring();
    MintedToken minted = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(30));
    revocations.revokeTask("task-1", NOW.plus(Duration.ofMinutes(10)));
    assertThrows(TokenRejectedException.class, () -> verifier(ring).verify(minted.token()));

    clock.advance(Duration.ofMinutes(10));
    assertEquals("task-1", verifier(ring).verify(minted.token()).task());
  }

  @Test
  void revocation_unavailableRejects() throws Exception {
    KeyRing ring = TokenFixtures.ring();
    RevocationList broken =
        new RevocationList() {
          @Override
          public boolean isRevoked(TaskToken token) throws RevocationUnavailableException {
            throw new RevocationUnavailableException("store down", null);
          }

          @Override
          public void revokeTask(String task, Instant until) {}

          @Override
          public void revokeTokenId(String tokenId, Instant until) {}
        };
    MintedToken minted = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(5));
    JwtTokenVerifier verifier = new JwtTokenVerifier(SETTINGS, ring, clock, broken);
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(minted.token()));
    assertEquals(Reason.REVOCATION_UNAVAILABLE, error.reason());
    assertEquals(
        "token "
            + minted.tokenId()
            + ": revocations cannot be checked now, so the token is not"
            + " accepted (expected: retry later)",
        error.getMessage());
  }

  @Test
  void cache_neverReturnsTokenPastExp() throws Exception {
    KeyRing ring = TokenFixtures.ring();
    JwtTokenVerifier verifier = verifier(ring);
    MintedToken minted = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(5));
    verifier.verify(minted.token());
    assertEquals(1, verifier.cachedCount());

    clock.advance(Duration.ofMinutes(5).plusSeconds(60));
    TokenRejectedException error =
        assertThrows(TokenRejectedException.class, () -> verifier.verify(minted.token()));
    assertEquals(Reason.EXPIRED_OR_NOT_YET_VALID, error.reason());
    assertEquals(
        "token expired at 2026-12-04T10:05:00Z (now 2026-12-04T10:06:00Z, clock skew 60s)",
        error.getMessage());
  }

  @Test
  void cache_skipsTokenWithinSkewAfterExp() throws Exception {
    KeyRing ring = TokenFixtures.ring();
    JwtTokenVerifier verifier = verifier(ring);
    MintedToken minted = minter(ring).mint("task-1", GRANTS, Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(5).plusSeconds(30));

    assertEquals("task-1", verifier.verify(minted.token()).task());
    assertEquals(0, verifier.cachedCount());
  }

  @Test
  void cache_keepsOnlySuccessfulVerifications() {
    JwtTokenVerifier verifier = verifier(TokenFixtures.ring());
    assertThrows(TokenRejectedException.class, () -> verifier.verify("a.b.c"));
    assertEquals(0, verifier.cachedCount());
  }
}
