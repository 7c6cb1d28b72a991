package dev.gitward.token;

import dev.gitward.config.RevocationSettings;
import dev.gitward.config.RevocationSettings.OnUnavailable;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations shared by all replicas through Redis, with a local copy that the hot path reads.
 *
 * <p>A revocation is stored as {@code gitward:revoked:task:<task>} or {@code
 * gitward:revoked:jti:<jti>} with the {@code until} instant in epoch milliseconds as value and as
 * {@code PX} expiry, appended to the stream {@code gitward:revocations} and published on the
 * channel of the same name. Each replica applies published revocations at once and also reads the
 * stream every {@link #POLL_INTERVAL}, so it rejects a revoked token within one second even when a
 * message was lost. After start and after each outage it reloads every key with {@code SCAN}.
 *
 * <p>{@link #isRevoked} never waits for Redis. While Redis is unreachable it throws {@link
 * RevocationUnavailableException} in {@link OnUnavailable#REJECT} mode, and in {@link
 * OnUnavailable#SERVE_KNOWN} mode once the outage is longer than {@code serve-known-for} or when
 * this process never reached Redis.
 */
public final class RedisRevocationList implements RevocationList, AutoCloseable {
  static final String TASK_KEY_PREFIX = "gitward:revoked:task:";
  static final String TOKEN_ID_KEY_PREFIX = "gitward:revoked:jti:";
  static final String STREAM = "gitward:revocations";
  static final String CHANNEL = "gitward:revocations";

  /** Time between two reads of the stream. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  /** Maximum wait for one Redis command or connection. */
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

  /** Without a successful read for this long, Redis counts as unreachable. */
  static final Duration STALE_AFTER = Duration.ofSeconds(2);

  /** Approximate stream length kept; a replica that falls further behind reloads with SCAN. */
  static final long STREAM_MAX_LENGTH = 100_000;

  private static final Logger log = LoggerFactory.getLogger(RedisRevocationList.class);
  private static final int BATCH = 1000;
  private static final long NO_OUTAGE = Long.MIN_VALUE;

  private final LocalRevocationList known;
  private final Clock clock;
  private final RevocationSettings settings;
  private final String address;
  private final RedisClient client;
  private final ScheduledExecutorService poller;

  private volatile @Nullable StatefulRedisConnection<String, String> connection;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> subscription;
  private volatile long lastSyncNanos;
  private volatile boolean synced;
  private volatile long outageSinceNanos = NO_OUTAGE;

  /** Stream id of the last entry applied; read and written on the poller thread only. */
  private String lastStreamId = "0-0";

  private boolean needsReload = true;

  private RedisRevocationList(RevocationSettings settings, URI redis, Clock clock) {
    this.known = new LocalRevocationList(clock);
    this.clock = clock;
    this.settings = settings;
    this.address = redis.getScheme() + "://" + redis.getHost() + ":" + redis.getPort();
    RedisURI uri = RedisURI.create(redis);
    uri.setTimeout(COMMAND_TIMEOUT);
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
            .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
            .build());
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "gitward-revocations");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Connects to the Redis server of {@code settings}, loads its revocations and starts following
   * new ones. An unreachable server does not fail the start: the list then reports {@link
   * #isReady()} false and keeps retrying.
   *
   * @throws IllegalArgumentException when {@code settings} names no Redis server
   */
  public static RedisRevocationList start(RevocationSettings settings, Clock clock) {
    URI redis =
        settings
            .redis()
            .orElseThrow(() -> new IllegalArgumentException("revocations.redis: missing"));
    RedisRevocationList list = new RedisRevocationList(settings, redis, clock);
    list.sync();
    list.poller.scheduleWithFixedDelay(
        list::sync, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return list;
  }

  @Override
  public boolean isRevoked(TaskToken token) throws RevocationUnavailableException {
    checkAvailable();
    return known.isRevoked(token);
  }

  private void checkAvailable() throws RevocationUnavailableException {
    long now = System.nanoTime();
    if (isAvailable(now)) {
      return;
    }
    if (settings.onUnavailable() == OnUnavailable.SERVE_KNOWN && synced) {
      Duration outage = Duration.ofNanos(now - outageStart(now));
      if (outage.compareTo(settings.serveKnownFor()) < 0) {
        return;
      }
    }
    throw new RevocationUnavailableException(
        "the revocation store " + address + " is unreachable", null);
  }

  private boolean isAvailable(long now) {
    return outageSinceNanos == NO_OUTAGE && synced && now - lastSyncNanos < STALE_AFTER.toNanos();
  }

  private long outageStart(long now) {
    long since = outageSinceNanos;
    // A stalled poller without a failure counts from the moment the last read became stale.
    return since != NO_OUTAGE ? since : Math.min(now, lastSyncNanos + STALE_AFTER.toNanos());
  }

  @Override
  public boolean isReady() {
    return isAvailable(System.nanoTime());
  }

  @Override
  public void revokeTask(String task, Instant until) throws RevocationUnavailableException {
    known.revokeTask(task, until);
    publish(Kind.TASK, task, until);
  }

  @Override
  public void revokeTokenId(String tokenId, Instant until) throws RevocationUnavailableException {
    known.revokeTokenId(tokenId, until);
    publish(Kind.TOKEN_ID, tokenId, until);
  }

  private void publish(Kind kind, String id, Instant until) throws RevocationUnavailableException {
    long ttlMillis = until.toEpochMilli() - clock.millis();
    if (ttlMillis <= 0) {
      return;
    }
    String untilMillis = Long.toString(until.toEpochMilli());
    try {
      RedisCommands<String, String> redis = commands();
      redis.set(kind.keyPrefix + id, untilMillis, SetArgs.Builder.px(ttlMillis));
      redis.xadd(
          STREAM,
          XAddArgs.Builder.maxlen(STREAM_MAX_LENGTH).approximateTrimming(),
          Map.of("kind", kind.name, "id", id, "until", untilMillis));
      redis.publish(CHANNEL, kind.name + ":" + untilMillis + ":" + id);
    } catch (RedisException e) {
      throw new RevocationUnavailableException(
          "the revocation store "
              + address
              + " is unreachable, so the revocation holds on this replica only",
          e);
    }
  }

  private RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> current = connection;
    if (current == null) {
      throw new RedisException("not connected");
    }
    return current.sync();
  }

  /** Brings the local copy up to date; runs on the poller thread, and once from {@link #start}. */
  private synchronized void sync() {
    try {
      connect();
      if (needsReload) {
        reload();
      }
      readStream();
      lastSyncNanos = System.nanoTime();
      synced = true;
      recovered();
    } catch (RedisException e) {
      needsReload = true;
      failed(e);
    } catch (RuntimeException e) {
      needsReload = true;
      log.error("revocations: reading {} failed with an unexpected error", address, e);
      failed(e);
    }
  }

  private void connect() {
    if (connection != null) {
      return;
    }
    StatefulRedisConnection<String, String> commands = client.connect();
    try {
      StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
      pubSub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              applyMessage(message);
            }
          });
      pubSub.sync().subscribe(CHANNEL);
      subscription = pubSub;
    } catch (RedisException e) {
      commands.close();
      throw e;
    }
    connection = commands;
  }

  /** Loads every stored revocation; entries appended to the stream meanwhile are read after. */
  private void reload() {
    RedisCommands<String, String> redis = commands();
    List<StreamMessage<String, String>> last =
        redis.xrevrange(STREAM, Range.unbounded(), Limit.create(0, 1));
    String streamId = last.isEmpty() ? "0-0" : last.get(0).getId();
    int loaded = 0;
    ScanArgs pattern = ScanArgs.Builder.matches("gitward:revoked:*").limit(BATCH);
    KeyScanCursor<String> cursor = redis.scan(pattern);
    while (true) {
      loaded += loadKeys(redis, cursor.getKeys());
      if (cursor.isFinished()) {
        break;
      }
      cursor = redis.scan(ScanCursor.of(cursor.getCursor()), pattern);
    }
    lastStreamId = streamId;
    needsReload = false;
    log.info("revocations: loaded {} active revocations from {}", loaded, address);
  }

  private int loadKeys(RedisCommands<String, String> redis, List<String> keys) {
    if (keys.isEmpty()) {
      return 0;
    }
    int loaded = 0;
    for (KeyValue<String, String> entry : redis.mget(keys.toArray(String[]::new))) {
      if (entry.hasValue()
          && apply(Kind.ofKey(entry.getKey()), idOfKey(entry.getKey()), entry.getValue())) {
        loaded++;
      }
    }
    return loaded;
  }

  private void readStream() {
    RedisCommands<String, String> redis = commands();
    while (true) {
      List<StreamMessage<String, String>> entries =
          redis.xread(
              XReadArgs.Builder.count(BATCH), XReadArgs.StreamOffset.from(STREAM, lastStreamId));
      for (StreamMessage<String, String> entry : entries) {
        Map<String, String> body = entry.getBody();
        apply(Kind.ofName(body.get("kind")), body.get("id"), body.get("until"));
        lastStreamId = entry.getId();
      }
      if (entries.size() < BATCH) {
        return;
      }
    }
  }

  private void applyMessage(String message) {
    String[] parts = message.split(":", 3);
    if (parts.length == 3) {
      apply(Kind.ofName(parts[0]), parts[2], parts[1]);
    }
  }

  /** Applies one revocation to the local copy; returns false for a malformed entry. */
  private boolean apply(@Nullable Kind kind, @Nullable String id, @Nullable String untilMillis) {
    if (kind == null || id == null || id.isEmpty() || untilMillis == null) {
      return false;
    }
    Instant until;
    try {
      until = Instant.ofEpochMilli(Long.parseLong(untilMillis));
    } catch (NumberFormatException e) {
      return false;
    }
    if (kind == Kind.TASK) {
      known.revokeTask(id, until);
    } else {
      known.revokeTokenId(id, until);
    }
    return true;
  }

  private static @Nullable String idOfKey(String key) {
    Kind kind = Kind.ofKey(key);
    return kind == null ? null : key.substring(kind.keyPrefix.length());
  }

  private void recovered() {
    if (outageSinceNanos == NO_OUTAGE) {
      return;
    }
    long millis = (System.nanoTime() - outageSinceNanos) / 1_000_000;
    outageSinceNanos = NO_OUTAGE;
    log.info("revocations: {} reachable again after {} ms; revocations reloaded", address, millis);
  }

  private void failed(RuntimeException e) {
    if (outageSinceNanos != NO_OUTAGE) {
      return;
    }
    outageSinceNanos = System.nanoTime();
    // One WARN per outage: requests during the outage do not log again.
    log.warn(
        "revocations: {} unreachable ({}); {}",
        address,
        e.getClass().getSimpleName(),
        settings.onUnavailable() == OnUnavailable.REJECT
            ? "rejecting every token until it is back"
            : "serving with the revocations known so far for at most " + settings.serveKnownFor());
  }

  @Override
  public void close() {
    poller.shutdownNow();
    StatefulRedisPubSubConnection<String, String> pubSub = subscription;
    if (pubSub != null) {
      pubSub.close();
    }
    StatefulRedisConnection<String, String> commands = connection;
    if (commands != null) {
      commands.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /** Kinds of revocation, with their key prefix and the name used in the stream and channel. */
  private enum Kind {
    TASK("task", TASK_KEY_PREFIX),
    TOKEN_ID("jti", TOKEN_ID_KEY_PREFIX);

    private final String name;
    private final String keyPrefix;

    Kind(String name, String keyPrefix) {
      this.name = name;
      this.keyPrefix = keyPrefix;
    }

    static @Nullable Kind ofName(@Nullable String name) {
      for (Kind kind : values()) {
        if (kind.name.equals(name)) {
          return kind;
        }
      }
      return null;
    }

    static @Nullable Kind ofKey(String key) {
      for (Kind kind : values()) {
        if (key.startsWith(kind.keyPrefix)) {
          return kind;
        }
      }
      return null;
    }
  }
}
