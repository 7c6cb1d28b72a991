package dev.gitward.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gitward.config.ConfigException;
import dev.gitward.config.CredentialSettings;
import dev.gitward.config.UpstreamSettings;
import dev.gitward.metrics.CredentialMetrics;
import dev.gitward.policy.RepositoryName;
import dev.gitward.upstream.TokenRequest.Permission;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installation tokens of a GitHub App, minted per repository and permission and sent as Basic
 * {@code x-access-token:<token>}.
 *
 * <p>Each token is limited to the one repository that the request accesses, with {@code contents:
 * read} for a fetch or {@code contents: write} for a push, plus {@code metadata: read}. This is
 * narrower than all of a task's repositories on the upstream, so a token that leaked from one
 * transfer reaches no other repository. The cost is one mint per repository and permission.
 *
 * <p>Tokens are cached by their exact scope and replaced once less than {@link #REFRESH_MARGIN} of
 * their life remains, so a transfer never starts on a token about to lapse. Any failure rejects the
 * request; a cached token of another scope is never used in its place. After a rate-limit response
 * no API call is made until GitHub's reset time.
 */
public final class GitHubAppCredential implements UpstreamCredential {
  private static final Logger log = LoggerFactory.getLogger(GitHubAppCredential.class);

  /** A cached token is replaced once less than this remains of GitHub's one-hour lifetime. */
  static final Duration REFRESH_MARGIN = Duration.ofMinutes(10);

  /** Freshness beyond the refresh margin that {@link #answersAtOnce} requires. */
  private static final Duration AT_ONCE_MARGIN = Duration.ofMinutes(1);

  /** How long a repository's installation id is cached. */
  static final Duration INSTALLATION_TTL = Duration.ofHours(1);

  /** How long a repository where the app is not installed is remembered. */
  static final Duration NOT_INSTALLED_TTL = Duration.ofMinutes(1);

  /** Maximum number of entries in each cache. */
  static final int MAX_CACHE_ENTRIES = 10_000;

  private static final int LOCK_STRIPES = 64;

  private final GitHubAppKey key;
  private final GitHubApi api;
  private final OptionalLong installationId;
  private final Clock clock;
  private final String upstreamName;
  private final CredentialMetrics metrics;
  private final Cache<TokenRequest, InstallationToken> tokens;
  private final Cache<String, Long> installations;
  private final Cache<String, Boolean> notInstalled;
  private final Object[] mintLocks = new Object[LOCK_STRIPES];
  private volatile Instant rateLimitedUntil = Instant.EPOCH;

  GitHubAppCredential(GitHubAppKey key, GitHubApi api, OptionalLong installationId, Clock clock) {
    this(key, api, installationId, clock, "github", CredentialMetrics.NONE);
  }

  GitHubAppCredential(
      GitHubAppKey key,
      GitHubApi api,
      OptionalLong installationId,
      Clock clock,
      String upstreamName,
      CredentialMetrics metrics) {
    this.upstreamName = upstreamName;
    this.metrics = metrics;
    this.key = key;
    this.api = api;
    this.installationId = installationId;
    this.clock = clock;
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.tokens =
        Caffeine.newBuilder()
            .maximumSize(MAX_CACHE_ENTRIES)
            .expireAfterWrite(Duration.ofHours(1))
            .ticker(ticker)
            .build();
    this.installations =
        Caffeine.newBuilder()
            .maximumSize(MAX_CACHE_ENTRIES)
            .expireAfterWrite(INSTALLATION_TTL)
            .ticker(ticker)
            .build();
    this.notInstalled =
        Caffeine.newBuilder()
            .maximumSize(MAX_CACHE_ENTRIES)
            .expireAfterWrite(NOT_INSTALLED_TTL)
            .ticker(ticker)
            .build();
    for (int i = 0; i < LOCK_STRIPES; i++) {
      mintLocks[i] = new Object();
    }
  }

  /**
   * Loads the app's private key and creates the API client of {@code upstream}.
   *
   * @param key the settings key of the credentials, for errors
   */
  public static GitHubAppCredential create(
      String key, UpstreamSettings upstream, CredentialSettings.GitHubApp app, Clock clock)
      throws ConfigException {
    return create(key, upstream, app, clock, CredentialMetrics.NONE);
  }

  /** Creates the credential of {@code upstream}, reporting mints and cache lookups to meters. */
  public static GitHubAppCredential create(
      String key,
      UpstreamSettings upstream,
      CredentialSettings.GitHubApp app,
      Clock clock,
      CredentialMetrics metrics)
      throws ConfigException {
    GitHubAppKey appKey = loadKey(key + ".private-key-file", app);
    if (upstream.apiUrl().isEmpty()) {
      throw new ConfigException(
          "upstreams."
              + upstream.name()
              + ".api-url: missing (expected: the REST API base URL of this GitHub host)");
    }
    UpstreamClient client =
        UpstreamClient.create(upstream, upstream.connectTimeout(), app.apiTimeout());
    GitHubApi api = new GitHubApi(upstream.apiUrl().get(), client, app.apiTimeout(), clock);
    OptionalLong installation =
        app.installationId().map(OptionalLong::of).orElseGet(OptionalLong::empty);
    return new GitHubAppCredential(appKey, api, installation, clock, upstream.name(), metrics);
  }

  private static GitHubAppKey loadKey(String key, CredentialSettings.GitHubApp app)
      throws ConfigException {
    Path file = app.privateKeyFile();
    try {
      if (Files.size(file) > GitHubAppKey.MAX_PEM_BYTES) {
        throw new ConfigException(
            key + ": " + file + " is larger than 64 KiB (expected: one PEM private key)");
      }
      return GitHubAppKey.parse(app.appId(), Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new ConfigException(
          key
              + ": "
              + file
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + ") (expected: a readable PEM private key of the GitHub App)");
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + file + " is invalid: " + e.getMessage());
    }
  }

  @Override
  public Optional<String> authorization(RepositoryName repository, boolean write)
      throws CredentialUnavailableException {
    String[] parts = repository.path().split("/");
    if (parts.length != 2) {
      throw new CredentialUnavailableException(
          "repository "
              + repository
              + " is not an owner/name path (expected: a GitHub repository such as"
              + " octo-org/widgets)");
    }
    long installation = installation(parts[0], parts[1]);
    TokenRequest request =
        TokenRequest.of(installation, parts[1], write ? Permission.WRITE : Permission.READ);
    return Optional.of(token(request).authorization());
  }

  /**
   * Returns true when the repository's installation and a token of its scope are cached, and the
   * token stays fresh for another {@link #AT_ONCE_MARGIN}, so that {@link #authorization} cannot
   * reach the API between the two calls.
   */
  @Override
  public boolean answersAtOnce(RepositoryName repository, boolean write) {
    String[] parts = repository.path().split("/");
    if (parts.length != 2) {
      return false;
    }
    long installation;
    if (installationId.isPresent()) {
      installation = installationId.getAsLong();
    } else {
      Long cached = installations.getIfPresent(repository.path().toLowerCase(Locale.ROOT));
      if (cached == null) {
        return false;
      }
      installation = cached;
    }
    TokenRequest request =
        TokenRequest.of(installation, parts[1], write ? Permission.WRITE : Permission.READ);
    InstallationToken token = tokens.getIfPresent(request);
    return token != null && token.freshAt(clock.instant(), REFRESH_MARGIN.plus(AT_ONCE_MARGIN));
  }

  /** Returns false while GitHub's rate limit lasts; the private key loaded at start. */
  @Override
  public boolean isReady() {
    return !clock.instant().isBefore(rateLimitedUntil);
  }

  private long installation(String owner, String name) throws CredentialUnavailableException {
    if (installationId.isPresent()) {
      return installationId.getAsLong();
    }
    String repository = (owner + "/" + name).toLowerCase(Locale.ROOT);
    Long cached = installations.getIfPresent(repository);
    if (cached != null) {
      return cached;
    }
    if (notInstalled.getIfPresent(repository) != null) {
      throw notInstalled(repository);
    }
    synchronized (lockFor(repository)) {
      cached = installations.getIfPresent(repository);
      if (cached != null) {
        return cached;
      }
      checkBackoff();
      OptionalLong found = callApi(() -> api.findInstallation(owner, name, appJwt()));
      if (found.isEmpty()) {
        notInstalled.put(repository, Boolean.TRUE);
        throw notInstalled(repository);
      }
      installations.put(repository, found.getAsLong());
      return found.getAsLong();
    }
  }

  private InstallationToken token(TokenRequest request) throws CredentialUnavailableException {
    InstallationToken cached = fresh(tokens.getIfPresent(request));
    metrics.cacheLookup(upstreamName, cached != null);
    if (cached != null) {
      return cached;
    }
    synchronized (lockFor(request)) {
      cached = fresh(tokens.getIfPresent(request));
      if (cached != null) {
        return cached;
      }
      checkBackoff();
      long start = System.nanoTime();
      InstallationToken minted;
      try {
        minted = callApi(() -> api.createToken(request, appJwt()));
      } catch (CredentialUnavailableException e) {
        metrics.minted(upstreamName, Duration.ofNanos(System.nanoTime() - start), false);
        throw e;
      }
      metrics.minted(upstreamName, Duration.ofNanos(System.nanoTime() - start), true);
      tokens.put(request, minted);
      log.info(
          "minted a GitHub App installation token: app={} installation={} repositories={}"
              + " contents={} expires_at={}",
          key.appId(),
          request.installationId(),
          request.repositories(),
          request.contents().wireName(),
          minted.expiresAt());
      return minted;
    }
  }

  private @Nullable InstallationToken fresh(@Nullable InstallationToken token) {
    return token != null && token.freshAt(clock.instant(), REFRESH_MARGIN) ? token : null;
  }

  private String appJwt() {
    return key.signJwt(clock.instant());
  }

  private void checkBackoff() throws CredentialUnavailableException {
    Instant until = rateLimitedUntil;
    if (clock.instant().isBefore(until)) {
      throw RateLimitedException.during(until);
    }
  }

  private <T> T callApi(ApiCall<T> call) throws CredentialUnavailableException {
    try {
      return call.run();
    } catch (RateLimitedException e) {
      rateLimitedUntil = e.resetAt();
      log.warn("GitHub App {} is rate limited until {}", key.appId(), e.resetAt());
      throw e;
    }
  }

  private CredentialUnavailableException notInstalled(String repository) {
    return new CredentialUnavailableException(
        "GitHub App "
            + key.appId()
            + " is not installed on "
            + repository
            + " (expected: an installation that includes the repository)");
  }

  private Object lockFor(Object scope) {
    return mintLocks[Math.floorMod(scope.hashCode(), LOCK_STRIPES)];
  }

  @Override
  public void close() {
    api.close();
  }

  @Override
  public String toString() {
    return "GitHubAppCredential[app " + key.appId() + ", ****]";
  }

  @FunctionalInterface
  private interface ApiCall<T> {
    T run() throws CredentialUnavailableException;
  }
}
