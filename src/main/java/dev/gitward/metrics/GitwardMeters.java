package dev.gitward.metrics;

import dev.gitward.audit.AuditLog;
import dev.gitward.token.TokenRejectedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one Gitward process, served at the admin listener's {@code /metrics}. Upstream
 * names outside the configured set are recorded as {@code unknown}, so a tag value never comes from
 * the request.
 */
public final class GitwardMeters implements CredentialMetrics {
  private static final Duration[] UPSTREAM_BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> upstreams;
  private final AtomicInteger inFlight = new AtomicInteger();

  // Meters of each request, looked up by their tag values. Building and registering a meter per
  // request cost a tenth of a forwarded request's worker time. Every tag value comes from a closed
  // set, so these maps stay small.
  private final Map<String, RequestMeters> requestMeters = new ConcurrentHashMap<>();
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
  private final Map<List<String>, Timer> upstreamTimers = new ConcurrentHashMap<>();

  /** The request meters of one service. */
  private record RequestMeters(Counter received, Counter sent, Map<String, Counter> outcomes) {}

  /** Creates the registry with JVM meters; {@code upstreams} are the configured names. */
  public GitwardMeters(Set<String> upstreams) {
    this.upstreams = Set.copyOf(upstreams);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("gitward.requests.in.flight", inFlight, AtomicInteger::get)
        .description("Git requests being served now")
        .register(registry);
  }

  /** Returns the meters in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Counts a git request as started, for the in-flight gauge. */
  public void requestStarted() {
    inFlight.incrementAndGet();
  }

  /**
   * Records a finished git request.
   *
   * @param service {@code git-upload-pack}, {@code git-receive-pack} or {@code none}
   * @param outcome the audit decision, such as {@code allowed} or {@code denied}
   * @param reason the audit reason code, or {@code allowed} when the request was allowed
   */
  public void requestFinished(
      String service, String outcome, String reason, long bytesIn, long bytesOut) {
    inFlight.decrementAndGet();
    RequestMeters meters = requestMeters.computeIfAbsent(service, this::requestMeters);
    meters.received.increment(bytesIn);
    meters.sent.increment(bytesOut);
    meters
        .outcomes
        .computeIfAbsent(
            outcome,
            name ->
                Counter.builder("gitward.requests")
                    .description("Finished git requests by service and audit decision")
                    .tag("service", service)
                    .tag("outcome", name)
                    .register(registry))
        .increment();
    decisions
        .computeIfAbsent(
            reason,
            name ->
                Counter.builder("gitward.decisions")
                    .description(
                        "Finished git requests by reason code, allowed ones as reason=allowed")
                    .tag("reason", name)
                    .register(registry))
        .increment();
  }

  private RequestMeters requestMeters(String service) {
    return new RequestMeters(
        Counter.builder("gitward.received")
            .baseUnit("bytes")
            .description("Request body bytes read from git clients")
            .tag("service", service)
            .register(registry),
        Counter.builder("gitward.sent")
            .baseUnit("bytes")
            .description("Response body bytes sent to git clients")
            .tag("service", service)
            .register(registry),
        new ConcurrentHashMap<>());
  }

  /** Counts a task token that failed verification. */
  public void tokenRejected(TokenRejectedException.Reason reason) {
    Counter.builder("gitward.token.rejections")
        .description("Task tokens that failed verification, by cause")
        .tag("reason", reason.name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .register(registry)
        .increment();
  }

  /**
   * Records the time until the upstream's response headers arrived.
   *
   * @param status the upstream's HTTP status, or 0 when the request failed without one
   */
  public void upstreamResponse(String upstream, String service, int status, long nanos) {
    String statusClass = status == 0 ? "error" : (status / 100) + "xx";
    upstreamTimers
        .computeIfAbsent(
            List.of(knownUpstream(upstream), service, statusClass),
            tags ->
                Timer.builder("gitward.upstream.requests")
                    .description("Time until the upstream's response headers, by status class")
                    .tag("upstream", tags.get(0))
                    .tag("service", tags.get(1))
                    .tag("status_class", tags.get(2))
                    .serviceLevelObjectives(UPSTREAM_BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void minted(String upstream, Duration latency, boolean success) {
    Timer.builder("gitward.credential.mint")
        .description("Time to mint an upstream credential, by outcome")
        .tag("upstream", knownUpstream(upstream))
        .tag("outcome", success ? "success" : "failure")
        .register(registry)
        .record(latency);
  }

  @Override
  public void cacheLookup(String upstream, boolean hit) {
    Counter.builder("gitward.credential.cache.lookups")
        .description("Lookups of cached upstream credentials; hit ratio = hit / all")
        .tag("upstream", knownUpstream(upstream))
        .tag("result", hit ? "hit" : "miss")
        .register(registry)
        .increment();
  }

  /** Registers the queue depth, health and counters of the audit log. */
  public void bindAudit(AuditLog audit) {
    Gauge.builder("gitward.audit.queue.depth", audit, AuditLog::queueDepth)
        .description("Audit events waiting for the writer thread")
        .register(registry);
    Gauge.builder("gitward.audit.sink.healthy", audit, log -> log.problem().isEmpty() ? 1 : 0)
        .description("1 while the audit sink accepts writes, 0 during an outage")
        .register(registry);
    FunctionCounter.builder("gitward.audit.events.written", audit, AuditLog::eventsWritten)
        .description("Audit events written")
        .register(registry);
    FunctionCounter.builder("gitward.audit.events.lost", audit, AuditLog::eventsLost)
        .description("Audit events that could not be written, each also logged at ERROR")
        .register(registry);
    FunctionCounter.builder("gitward.audit.sink.outages", audit, AuditLog::outages)
        .description("Times the audit sink started failing")
        .register(registry);
  }

  private String knownUpstream(String upstream) {
    return upstreams.contains(upstream) ? upstream : "unknown";
  }
}
