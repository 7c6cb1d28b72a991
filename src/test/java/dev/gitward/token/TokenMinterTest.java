package dev.gitward.token;

import static dev.gitward.token.TokenFixtures.FIXED_CLOCK;
import static dev.gitward.token.TokenFixtures.NOW_SECONDS;
import static dev.gitward.token.TokenFixtures.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenMinterTest {
  private static final Grant PUSH =
      new Grant(
          RepositoryName.parse("github.com/acme/widgets"),
          Set.of(Action.UPDATE, Action.CREATE),
          Optional.of(RefPattern.compile("refs/heads/agent/**")));

  private final TokenMinter minter = new TokenMinter(SETTINGS, TokenFixtures.ring(), FIXED_CLOCK);

  private static JsonNode segment(String token, int index) throws Exception {
    return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
  }

  @Test
  void mint_writesExactHeaderAndClaims() throws Exception {
    MintedToken minted = minter.mint("task-1", List.of(PUSH), Duration.ofMinutes(10));

    assertEquals(
        "{\"alg\":\"EdDSA\",\"typ\":\"gitward+jwt\",\"kid\":\""
            + TokenFixtures.ED_KEY.getKeyID()
            + "\"}",
        segment(minted.token(), 0).toString());
    assertEquals(
        "{\"iss\":\"gitward\",\"aud\":\"gitward\",\"sub\":\"task-1\",\"jti\":\""
            + minted.tokenId()
            + "\",\"iat\":"
            + NOW_SECONDS
            + ",\"nbf\":"
            + NOW_SECONDS
            + ",\"exp\":"
            + (NOW_SECONDS + 600)
            + ",\"grants\":[{\"repo\":\"github.com/acme/widgets\",\"actions\":[\"create\","
            + "\"update\"],\"refs\":\"refs/heads/agent/**\"}]}",
        segment(minted.token(), 1).toString());
    assertEquals(22, minted.tokenId().length());
  }

  @Test
  void mint_tokenIdsAreUnique() {
    String first = minter.mint("task-1", List.of(PUSH), Duration.ofMinutes(1)).tokenId();
    String second = minter.mint("task-1", List.of(PUSH), Duration.ofMinutes(1)).tokenId();
    assertFalse(first.equals(second));
  }

  @Test
  void mint_ttlOutsideRangeRejected() {
    String expected = "s (expected: 1s to 3600s, the configured tokens.max-ttl)";
    for (Duration ttl : List.of(Duration.ZERO, Duration.ofSeconds(-5), Duration.ofSeconds(3601))) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> minter.mint("t", List.of(PUSH), ttl));
      assertEquals("ttl: " + ttl.toSeconds() + expected, error.getMessage());
    }
    assertEquals(
        Duration.ofHours(1),
        Duration.between(
            FIXED_CLOCK.instant(),
            minter.mint("t", List.of(PUSH), Duration.ofHours(1)).expiresAt()));
  }

  @Test
  void mint_invalidTaskRejected() {
    String expected = " (expected: 1 to 128 printable ASCII characters without spaces)";
    for (String task : List.of("", "a b", "x".repeat(129), "caf\u00e9", "a\nb")) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> minter.mint(task, List.of(PUSH), Duration.ofMinutes(1)));
      assertTrue(error.getMessage().startsWith("task: "), error.getMessage());
      assertTrue(error.getMessage().endsWith(expected), error.getMessage());
    }
  }

  @Test
  void mint_grantCountChecked() {
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> minter.mint("t", List.of(), Duration.ofMinutes(1)));
    assertEquals("grants: 0 grants (expected: 1 to 100)", empty.getMessage());
  }

  @Test
  void mint_oversizedTokenRejected() {
    List<Grant> grants =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(
                i ->
                    new Grant(
                        RepositoryName.parse("github.com/acme/repository-with-a-long-name-" + i),
                        Set.of(Action.FETCH),
                        Optional.empty()))
            .toList();
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> minter.mint("t", grants, Duration.ofMinutes(1)));
    assertTrue(error.getMessage().startsWith("grants: the token would be "), error.getMessage());
    assertTrue(
        error
            .getMessage()
            .endsWith(" bytes (expected: at most 8192 bytes; use fewer or shorter" + " grants)"),
        error.getMessage());
  }

  @Test
  void mintedToken_toStringMasksToken() {
    MintedToken minted = minter.mint("task-1", List.of(PUSH), Duration.ofMinutes(1));
    String text = minted.toString();
    assertFalse(text.contains(minted.token()), text);
    assertFalse(text.contains(minted.token().split("\\.")[2]), text);
    assertEquals(
        "MintedToken[tokenId="
            + minted.tokenId()
            + ", task=task-1, expiresAt="
            + minted.expiresAt()
            + ", token=****]",
        text);
  }

  @Test
  void grantCodec_roundTrips() {
    List<Grant> grants =
        List.of(
            PUSH,
            new Grant(
                RepositoryName.parse("gitlab.com/group/sub/project"),
                Set.of(Action.FETCH),
                Optional.empty()));
    assertEquals(grants, GrantCodec.fromJson(GrantCodec.toJson(grants), 100));
  }
}
