package dev.gitward.policy;

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

/** Matches one ref name against one ref pattern, and compiles a pattern. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RefPatternBenchmark {
  /** A pattern and the ref name to match, separated by a space. */
  @Param({
    "refs/heads/main refs/heads/main",
    "refs/heads/agent/t1/** refs/heads/agent/t1/feature/deep/branch-name",
    "refs/heads/agent/t1/** refs/heads/main",
    "refs/heads/*/wip refs/heads/agent/wip",
    "refs/tags/v* refs/tags/v1.2.3"
  })
  public String patternAndRef;

  private String patternText;
  private RefPattern pattern;
  private String refName;

  @Setup
  public void setUp() {
    String[] parts = patternAndRef.split(" ");
    patternText = parts[0];
    pattern = RefPattern.compile(parts[0]);
    refName = parts[1];
  }

  @Benchmark
  public boolean matches() {
    return pattern.matches(refName);
  }

  @Benchmark
  public RefPattern compile() {
    return RefPattern.compile(patternText);
  }
}
