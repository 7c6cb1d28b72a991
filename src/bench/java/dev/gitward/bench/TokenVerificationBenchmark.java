package dev.gitward.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.gitward.config.TokenSettings;
import dev.gitward.policy.Action;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import dev.gitward.token.JwtTokenVerifier;
import dev.gitward.token.KeyRing;
import dev.gitward.token.LocalRevocationList;
import dev.gitward.token.SigningKeys;
import dev.gitward.token.TaskToken;
import dev.gitward.token.TokenMinter;
import dev.gitward.token.TokenRejectedException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verification of one task token with two grants: cached (the hash lookup, expiry and revocation
 * check that every request after the first pays) and uncached (parsing, signature and claims).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenVerificationBenchmark {
  @Param({"EdDSA", "ES256"})
  public String algorithm;

  /**
   * Distinct tokens for the uncached case, so an entry that Caffeine has not evicted yet is not
   * reused.
   */
  private static final int UNCACHED_TOKENS = 1024;

  private JwtTokenVerifier cached;
  private JwtTokenVerifier uncached;
  private String token;
  private String[] distinctTokens;
  private int next;

  @Setup
  public void setUp() throws TokenRejectedException {
    Clock clock = Clock.systemUTC();
    JWK key = SigningKeys.generate(JWSAlgorithm.parse(algorithm), clock);
    KeyRing keys = KeyRing.of(List.of(key));
    TokenSettings settings =
        new TokenSettings(
            "gitward",
            "gitward",
            List.of(Path.of("unused.jwk")),
            Duration.ofHours(1),
            Duration.ofSeconds(60),
            TokenSettings.DEFAULT_MAX_TOKEN_BYTES,
            TokenSettings.DEFAULT_MAX_GRANTS);
    RepositoryName repository = RepositoryName.parse("github.com/acme/widgets");
    List<Grant> grants =
        List.of(
            new Grant(repository, Set.of(Action.FETCH), Optional.empty()),
            new Grant(
                repository,
                Set.of(Action.CREATE, Action.UPDATE),
                Optional.of(RefPattern.compile("refs/heads/agent/**"))));
    TokenMinter minter = new TokenMinter(settings, keys, clock);
    token = minter.mint("task-bench", grants, Duration.ofHours(1)).token();
    distinctTokens = new String[UNCACHED_TOKENS];
    for (int i = 0; i < UNCACHED_TOKENS; i++) {
      distinctTokens[i] = minter.mint("task-bench", grants, Duration.ofHours(1)).token();
    }
    LocalRevocationList revocations = new LocalRevocationList(clock);
    cached = new JwtTokenVerifier(settings, keys, clock, revocations);
    // Caffeine evicts at once with a maximum size of 0, so every call verifies the signature.
    uncached = new JwtTokenVerifier(settings, keys, clock, revocations, 0);
    cached.verify(token);
  }

  @Benchmark
  public TaskToken verifyCached() throws TokenRejectedException {
    return cached.verify(token);
  }

  @Benchmark
  public TaskToken verifyUncached() throws TokenRejectedException {
    next = (next + 1) % UNCACHED_TOKENS;
    return uncached.verify(distinctTokens[next]);
  }
}
