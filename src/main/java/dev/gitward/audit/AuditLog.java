package dev.gitward.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gitward.config.AuditSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hash-chained audit log. Request threads put events on a bounded queue, and one writer thread
 * takes them in batches, chains them and writes each batch with a single write. A batch that
 * contains anything but allowed fetches (a push, a denial, a failure) is forced to disk before the
 * writer takes the next. The events of allowed fetches are forced within {@code
 * audit.fetch-fsync-delay}, so that a stream of clones does not pay one disk flush per request. A
 * full queue makes {@link #submit} wait, so an event is never dropped to make room.
 *
 * <p>When the sink fails, the writer keeps the failed batch and retries it with a backoff of up to
 * 5 seconds, logging ERROR once per outage. Meanwhile {@link #admit} rejects or delays new
 * requests, as {@code audit.on-failure} sets.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final int MAX_BATCH = 256;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final long CLOSE_TIMEOUT_MILLIS = 10_000;

  /** How often the writer checks that the sink still reaches its destination. */
  static final long SINK_CHECK_INTERVAL_MILLIS = 100;

  private final AuditSink sink;
  private final AuditSettings.OnFailure onFailure;
  private final BlockingQueue<AuditEvent> queue;

  /** Events whose submitters wait until they are on disk, by identity. */
  private final Map<AuditEvent, CompletableFuture<Boolean>> awaited =
      Collections.synchronizedMap(new IdentityHashMap<>());

  private final Clock clock;
  private final long fetchFsyncDelayNanos;
  private final Thread writer;
  private final Object health = new Object();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong outages = new AtomicLong();
  private volatile @Nullable String failure;

  /**
   * The message of the sink's last failed check, or null. The writer sets it, so requests do no
   * file I/O.
   */
  private volatile @Nullable String sinkProblem;

  private long lastCheckNanos;
  private int failedReopens;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos;
  private AuditChain chain = AuditChain.start();
  private boolean reopen;

  /** Events written since the last force. Only the writer thread uses it. */
  private int unforcedEvents;

  /** When the oldest line that was not forced yet was written, from {@link System#nanoTime}. */
  private long unforcedSinceNanos;

  private AuditLog(
      AuditSink sink,
      int queueSize,
      AuditSettings.OnFailure onFailure,
      Clock clock,
      Duration fetchFsyncDelay) {
    this.sink = sink;
    this.onFailure = onFailure;
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.clock = clock;
    this.fetchFsyncDelayNanos = fetchFsyncDelay.toNanos();
    this.writer = new Thread(this::run, "gitward-audit-writer");
    this.writer.setDaemon(true);
  }

  /**
   * Opens the configured file, or standard output, continues its chain and starts the writer.
   *
   * @throws IOException when the file cannot be opened or its last line cannot be read
   */
  public static AuditLog open(AuditSettings settings, Clock clock) throws IOException {
    AuditSink sink =
        settings
            .file()
            .<AuditSink>map(FileAuditSink::new)
            .orElseGet(() -> new StreamAuditSink(System.out));
    return start(
        sink, settings.queueSize(), settings.onFailure(), clock, settings.fetchFsyncDelay());
  }

  static AuditLog start(
      AuditSink sink,
      int queueSize,
      AuditSettings.OnFailure onFailure,
      Clock clock,
      Duration fetchFsyncDelay)
      throws IOException {
    AuditLog auditLog = new AuditLog(sink, queueSize, onFailure, clock, fetchFsyncDelay);
    auditLog.chain = auditLog.resume(sink.open());
    auditLog.checkSink();
    auditLog.writer.start();
    return auditLog;
  }

  /**
   * Returns normally when a new request may proceed. In {@code block} mode it waits while the sink
   * fails.
   *
   * @throws AuditUnavailableException in {@code reject} mode while the sink fails, or when the wait
   *     is interrupted
   */
  public void admit() throws AuditUnavailableException {
    Optional<String> problem = problem();
    if (problem.isEmpty()) {
      return;
    }
    if (onFailure == AuditSettings.OnFailure.REJECT) {
      throw new AuditUnavailableException(problem.get());
    }
    synchronized (health) {
      while (problem.isPresent() && !closing) {
        try {
          health.wait(1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AuditUnavailableException(problem.get());
        }
        problem = problem();
      }
    }
  }

  /** Queues {@code event}, waiting while the queue is full. */
  public void submit(AuditEvent event) {
    if (closing) {
      lose(event, "the audit log is closed");
      return;
    }
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lose(event, "interrupted while the audit queue was full");
    }
  }

  /**
   * Queues {@code event} and waits until it is written and forced to disk, or until {@code timeout}
   * passed, the wait was interrupted or the event was lost.
   *
   * @return whether the event is on disk
   */
  public boolean submitAndAwait(AuditEvent event, Duration timeout) {
    CompletableFuture<Boolean> durable = new CompletableFuture<>();
    awaited.put(event, durable);
    submit(event);
    try {
      return durable.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } finally {
      awaited.remove(event);
    }
  }

  /**
   * Queues the event of a request that was rejected because the sink fails, without waiting. When
   * the queue is full the event is counted in {@link #eventsLost} and logged instead.
   */
  public void offer(AuditEvent event) {
    if (closing || !queue.offer(event)) {
      lose(event, "the audit queue is full while the sink fails");
    }
  }

  /**
   * Returns why the log cannot take new requests now, or empty when it can. It reads only what the
   * writer found, so it does no file I/O. The writer checks the sink before every write and, while
   * it is not busy writing, every {@value #SINK_CHECK_INTERVAL_MILLIS} ms, so a file that was
   * removed or replaced shows here within about that time.
   */
  public Optional<String> problem() {
    String current = failure;
    if (current != null) {
      return Optional.of(current);
    }
    if (!writer.isAlive()) {
      return Optional.of("the audit writer thread is not running");
    }
    return Optional.ofNullable(sinkProblem);
  }

  /**
   * Checks the sink, publishes the result for {@link #problem} and returns whether it passed. Runs
   * on the writer thread, and once before it starts.
   */
  private boolean checkSink() {
    lastCheckNanos = System.nanoTime();
    try {
      sink.check();
      sinkProblem = null;
      return true;
    } catch (IOException e) {
      sinkProblem = e.getMessage();
      return false;
    }
  }

  /**
   * Opens the sink again after its check failed, for example after the file was removed by a log
   * rotation, so that the log recovers while no event is waiting too. It makes one attempt, and the
   * next check tries again.
   */
  private void reopenAfterFailedCheck() {
    try {
      reopenSink();
      recovered(failedReopens);
      failedReopens = 0;
      checkSink();
    } catch (IOException | RuntimeException e) {
      reopen = true;
      failedReopens++;
      failed(
          new IOException(sinkProblem + " (opening it again failed: " + e.getMessage() + ")", e),
          unforcedEvents);
    }
  }

  /** Forces the old file, then opens the configured file again and continues its chain. */
  private void reopenSink() throws IOException {
    sink.force();
    unforcedEvents = 0;
    chain = resume(sink.open());
    reopen = false;
  }

  /** Returns the number of events waiting for the writer. */
  public int queueDepth() {
    return queue.size();
  }

  /**
   * Returns whether the queue is at most half full, so that an event submitted now will not wait
   * for the writer. The event-loop path of the proxy checks it before it takes a request.
   */
  public boolean hasRoom() {
    return queue.remainingCapacity() >= queue.size();
  }

  /** Returns the number of events written since start. */
  public long eventsWritten() {
    return written.get();
  }

  /** Returns the number of events that could not be queued or written, each logged at ERROR. */
  public long eventsLost() {
    return lost.get();
  }

  /** Returns the number of sink outages since start. */
  public long outages() {
    return outages.get();
  }

  /** Returns the file name, or {@code stdout}. */
  public String sinkName() {
    return sink.name();
  }

  private AuditChain resume(Optional<AuditSink.Tail> tail) throws IOException {
    if (tail.isEmpty()) {
      log.info("audit log {} starts a new chain", sink.name());
      return AuditChain.start();
    }
    byte[] line = tail.get().line();
    Optional<Long> seq = chainedSeq(line);
    if (tail.get().complete() && seq.isPresent()) {
      log.info("audit log {} continues its chain after seq {}", sink.name(), seq.get());
      return AuditChain.after(seq.get(), line);
    }
    log.error(
        "audit log {} ends with a torn line of {} bytes ({}); a new chain segment starts with a"
            + " chain-restart line that records the torn line's SHA-256",
        sink.name(),
        line.length,
        tail.get().complete() ? "not an audit event" : "no newline after it");
    byte[] restart =
        AuditChain.canonical(
            new ChainRestart(
                clock.instant().toString(),
                ChainRestart.EVENT,
                line.length,
                1,
                AuditChain.sha256(line)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!tail.get().complete()) {
      out.write('\n');
    }
    out.write(restart);
    out.write('\n');
    sink.write(out.toByteArray(), true);
    return AuditChain.after(1, restart);
  }

  /** Returns the {@code seq} of a line that is a chained audit record. */
  static Optional<Long> chainedSeq(byte[] line) {
    try {
      JsonNode node = AuditChain.JSON.readTree(line);
      if (node != null
          && node.isObject()
          && node.path("seq").isIntegralNumber()
          && node.path("prev_hash").isTextual()) {
        return Optional.of(node.get("seq").asLong());
      }
    } catch (IOException e) {
      // Not JSON: the caller treats the line as torn.
    }
    return Optional.empty();
  }

  private void run() {
    List<AuditEvent> batch = new ArrayList<>();
    while (true) {
      if (System.nanoTime() - lastCheckNanos
              >= TimeUnit.MILLISECONDS.toNanos(SINK_CHECK_INTERVAL_MILLIS)
          && !checkSink()
          && sink.canReopen()) {
        reopenAfterFailedCheck();
      }
      AuditEvent first;
      try {
        first = queue.poll(pollNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        continue;
      }
      if (first == null) {
        if (unforcedEvents > 0 && (closing || forceDue())) {
          untilDone(this::force, unforcedEvents);
        }
        if (closing) {
          return;
        }
        continue;
      }
      batch.clear();
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      boolean force =
          fetchFsyncDelayNanos == 0
              || !batch.stream().allMatch(event -> event.isFetch() && !awaited.containsKey(event));
      if (untilDone(() -> writeBatch(batch, force), batch.size())) {
        settle(batch);
      } else {
        batch.forEach(event -> lose(event, "the audit sink still failed at shutdown"));
      }
      if (unforcedEvents > 0 && forceDue()) {
        untilDone(this::force, unforcedEvents);
      }
    }
  }

  /** Returns how long the writer may wait for an event before it must force written lines. */
  private long pollNanos() {
    long idle = TimeUnit.MILLISECONDS.toNanos(SINK_CHECK_INTERVAL_MILLIS);
    if (unforcedEvents == 0) {
      return idle;
    }
    long due = unforcedSinceNanos + fetchFsyncDelayNanos - System.nanoTime();
    return Math.max(0, Math.min(idle, due));
  }

  private boolean forceDue() {
    return System.nanoTime() - unforcedSinceNanos >= fetchFsyncDelayNanos;
  }

  /** A write or force of the sink, which {@link #untilDone} retries. */
  @FunctionalInterface
  private interface SinkStep {
    void run() throws IOException;
  }

  /**
   * Runs {@code step} until it succeeds, with a backoff, or until shutdown gives up on the sink.
   *
   * @param pending the number of events that {@code step} writes or forces, for the error message
   * @return false when shutdown gave up on the sink
   */
  private boolean untilDone(SinkStep step, int pending) {
    long backoff = 100;
    int attempts = 0;
    while (true) {
      try {
        step.run();
        recovered(attempts);
        return true;
      } catch (IOException | RuntimeException e) {
        attempts++;
        failed(e, pending);
      }
      if (closing && System.nanoTime() - closeDeadlineNanos > 0) {
        return false;
      }
      sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }

  private void writeBatch(List<AuditEvent> batch, boolean force) throws IOException {
    if (reopen) {
      reopenSink();
    }
    if (!checkSink()) {
      reopen = true;
      throw new IOException(sinkProblem);
    }
    AuditChain next = chain;
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (AuditEvent event : batch) {
      byte[] line = next.encode(event);
      lines.write(line);
      lines.write('\n');
      next = AuditChain.after(next.nextSeq(), line);
    }
    sink.write(lines.toByteArray(), force);
    chain = next;
    written.addAndGet(batch.size());
    if (force) {
      unforcedEvents = 0;
    } else {
      if (unforcedEvents == 0) {
        unforcedSinceNanos = System.nanoTime();
      }
      unforcedEvents += batch.size();
    }
  }

  private void force() throws IOException {
    sink.force();
    unforcedEvents = 0;
  }

  private void failed(Exception error, int pending) {
    String cause = error.getClass().getSimpleName() + ": " + error.getMessage();
    if (failure == null) {
      outages.incrementAndGet();
      log.error(
          "audit log {} cannot be written ({}); {} new git requests until it recovers, {} events"
              + " waiting",
          sink.name(),
          cause,
          onFailure == AuditSettings.OnFailure.REJECT ? "rejecting" : "holding",
          pending + queue.size());
    }
    failure = "audit log " + sink.name() + " cannot be written: " + cause;
  }

  private void recovered(int failedAttempts) {
    if (failure == null) {
      return;
    }
    log.warn(
        "audit log {} is writable again after {} failed attempts", sink.name(), failedAttempts);
    failure = null;
    synchronized (health) {
      health.notifyAll();
    }
  }

  /** Completes the waits of submitters whose events in {@code batch} are now on disk. */
  private void settle(List<AuditEvent> batch) {
    if (awaited.isEmpty()) {
      return;
    }
    for (AuditEvent event : batch) {
      CompletableFuture<Boolean> durable = awaited.get(event);
      if (durable != null) {
        durable.complete(true);
      }
    }
  }

  private void lose(AuditEvent event, String why) {
    CompletableFuture<Boolean> durable = awaited.get(event);
    if (durable != null) {
      durable.complete(false);
    }
    lost.incrementAndGet();
    log.error(
        "audit event of request {} ({} {}) was not written: {}",
        event.requestId(),
        event.decision(),
        event.reason(),
        why);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // The writer stops only through the closing flag, so it keeps retrying.
    }
  }

  /** Writes every queued event, waiting up to 10 seconds for a failing sink, then closes it. */
  @Override
  public void close() {
    closeDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MILLIS);
    closing = true;
    synchronized (health) {
      health.notifyAll();
    }
    try {
      writer.join(CLOSE_TIMEOUT_MILLIS + MAX_BACKOFF_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      log.error("audit writer did not stop; {} events are still queued", queue.size());
    }
    sink.close();
  }
}
