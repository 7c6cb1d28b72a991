package dev.gitward.proxy;

import dev.gitward.policy.AccessPolicy;
import dev.gitward.policy.Action;
import dev.gitward.policy.Decision;
import dev.gitward.policy.Grant;
import dev.gitward.policy.RefPattern;
import dev.gitward.policy.RepositoryName;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.PushBodies;
import dev.gitward.protocol.ReceivePackRequest;
import dev.gitward.protocol.ReceivePackRequestParser;
import dev.gitward.protocol.RefCommand;
import dev.gitward.token.TaskToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decides a 1000-command push (creates, fast-forward updates and deletes under {@code
 * refs/heads/agent/t1/}) with a token that grants them on the pushed repository and has grants on
 * ten other repositories.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PushPlanBenchmark {
  private static final int COMMANDS = 1000;

  private ReceivePackRequest request;
  private TaskToken token;
  private RepositoryName repository;
  private AccessPolicy policy;

  @Setup
  public void setUp() throws IOException, ProtocolException {
    request =
        (ReceivePackRequest)
            ReceivePackRequestParser.parse(
                new ByteArrayInputStream(PushBodies.commands(COMMANDS)), ProtocolLimits.defaults());
    repository = RepositoryName.parse("local/owner/repo");
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      grants.add(fetchGrant("local/owner/other" + i));
    }
    grants.add(fetchGrant("local/owner/repo"));
    grants.add(
        new Grant(
            repository,
            EnumSet.of(Action.CREATE, Action.UPDATE, Action.DELETE),
            Optional.of(RefPattern.compile("refs/heads/agent/t1/**"))));
    Instant now = Instant.now();
    token = new TaskToken("t1", "jti-1", now, now, now.plusSeconds(3600), grants);
    policy = AccessPolicy.of(token, repository, false);
  }

  private static Grant fetchGrant(String repository) {
    return new Grant(RepositoryName.parse(repository), EnumSet.of(Action.FETCH), Optional.empty());
  }

  /** Builds the policy and decides every command, as the receive-pack handler does. */
  @Benchmark
  public PushPlan decidePush() {
    AccessPolicy requestPolicy = AccessPolicy.of(token, repository, false);
    return PushPlan.decide(request, requestPolicy, Set.of());
  }

  /** Decides each command with {@link AccessPolicy#refCommand} alone. */
  @Benchmark
  public void refCommandEach(Blackhole blackhole) {
    for (RefCommand command : request.commands()) {
      Action action =
          switch (command.kind()) {
            case CREATE -> Action.CREATE;
            case UPDATE -> Action.UPDATE;
            case DELETE -> Action.DELETE;
          };
      Decision decision = policy.refCommand(action, command.refName());
      blackhole.consume(decision);
    }
  }
}
