package dev.gitward.token;

import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * A Caffeine expiry that removes each entry at an instant derived from its value, measured on
 * {@code clock}. Reads do not extend an entry's life.
 *
 * <p>Caffeine counts the time on its own ticker, so a caller that needs an exact result also
 * compares the instant with the clock when it reads an entry.
 */
final class UntilExpiry<K, V> implements Expiry<K, V> {
  /** Maximum expiry, because Caffeine counts nanoseconds in a long (about 292 years). */
  private static final Duration MAX_DURATION = Duration.ofDays(365L * 200);

  private final Clock clock;
  private final Function<V, Instant> until;

  UntilExpiry(Clock clock, Function<V, Instant> until) {
    this.clock = clock;
    this.until = until;
  }

  @Override
  public long expireAfterCreate(K key, V value, long currentTime) {
    Duration remaining = Duration.between(clock.instant(), until.apply(value));
    if (remaining.isNegative()) {
      return 0;
    }
    return remaining.compareTo(MAX_DURATION) > 0 ? MAX_DURATION.toNanos() : remaining.toNanos();
  }

  @Override
  public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
    return expireAfterCreate(key, value, currentTime);
  }

  @Override
  public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
    return currentDuration;
  }
}
