package dev.gitward.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;

/**
 * Revocations held in this process only, so each proxy instance must receive each revocation
 * itself.
 *
 * <p>Each entry expires at its {@code until}, which keeps memory proportional to the revocations of
 * the last maximum token lifetime. The caches have no size bound on purpose: evicting an entry
 * early would make a revoked token valid again.
 */
public final class LocalRevocationList implements RevocationList {
  private final Clock clock;
  private final Cache<String, Instant> tasks;
  private final Cache<String, Instant> tokenIds;

  public LocalRevocationList(Clock clock) {
    this.clock = clock;
    this.tasks = newCache();
    this.tokenIds = newCache();
  }

  private Cache<String, Instant> newCache() {
    return Caffeine.newBuilder()
        .expireAfter(new UntilExpiry<String, Instant>(clock, until -> until))
        .build();
  }

  @Override
  public boolean isRevoked(TaskToken token) {
    Instant now = clock.instant();
    return isActive(tasks.getIfPresent(token.task()), now)
        || isActive(tokenIds.getIfPresent(token.tokenId()), now);
  }

  private static boolean isActive(Instant until, Instant now) {
    // Caffeine expires entries on its own ticker, so comparing with the clock keeps it exact.
    return until != null && now.isBefore(until);
  }

  @Override
  public void revokeTask(String task, Instant until) {
    tasks.asMap().merge(task, until, LocalRevocationList::later);
  }

  @Override
  public void revokeTokenId(String tokenId, Instant until) {
    tokenIds.asMap().merge(tokenId, until, LocalRevocationList::later);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
