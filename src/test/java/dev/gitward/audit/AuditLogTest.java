package dev.gitward.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gitward.config.AuditSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path directory;

  static AuditEvent event(String requestId) {
    return new AuditEvent(
        "2025-01-01T00:00:00.000Z",
        requestId,
        "task-a",
        "jti-a",
        "127.0.0.1",
        "local",
        "owner/allowed",
        "git-upload-pack",
        false,
        2,
        "allowed",
        null,
        200,
        List.of(),
        10,
        20,
        3,
        200,
        0,
        null);
  }

  /** Returns the event of an allowed receive-pack request. */
  static AuditEvent push(String requestId) {
    AuditEvent fetch = event(requestId);
    return new AuditEvent(
        fetch.time(),
        requestId,
        fetch.task(),
        fetch.tokenId(),
        fetch.clientAddress(),
        fetch.upstream(),
        fetch.repository(),
        "git-receive-pack",
        false,
        0,
        "allowed",
        null,
        200,
        List.of(),
        fetch.bytesIn(),
        fetch.bytesOut(),
        fetch.durationMs(),
        200,
        0,
        null);
  }

  static AuditLog start(AuditSink sink, AuditSettings.OnFailure onFailure, Duration fsyncDelay)
      throws IOException {
    return AuditLog.start(sink, 10, onFailure, Clock.systemUTC(), fsyncDelay);
  }

  static AuditLog open(Path file) throws IOException {
    return AuditLog.open(
        new AuditSettings(
            Optional.of(file),
            100,
            AuditSettings.OnFailure.REJECT,
            AuditSettings.DEFAULT_FETCH_FSYNC_DELAY),
        Clock.systemUTC());
  }

  static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(AuditChain.JSON.readTree(line));
    }
    return nodes;
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not met within 10 seconds");
      Thread.sleep(20);
    }
  }

  @Test
  void newFile_linesChainFromGenesis() throws Exception {
    Path file = directory.resolve("audit.log");
    try (AuditLog log = open(file)) {
      log.submit(event("r1"));
      log.submit(event("r2"));
      log.submit(event("r3"));
    }
    List<String> raw = Files.readAllLines(file);
    List<JsonNode> nodes = lines(file);
    assertEquals(3, nodes.size());
    assertEquals("0".repeat(64), nodes.get(0).get("prev_hash").asText());
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1, nodes.get(i).get("seq").asLong());
      assertEquals("r" + (i + 1), nodes.get(i).get("request_id").asText());
    }
    assertEquals(
        AuditChain.sha256(raw.get(0).getBytes(StandardCharsets.UTF_8)),
        nodes.get(1).get("prev_hash").asText());
    assertEquals(
        AuditChain.sha256(raw.get(1).getBytes(StandardCharsets.UTF_8)),
        nodes.get(2).get("prev_hash").asText());
    AuditVerifier.Result result = AuditVerifier.verify(file);
    assertEquals(Optional.empty(), result.broken());
    assertEquals(3, result.events());
  }

  @Test
  void restart_continuesTheChain() throws Exception {
    Path file = directory.resolve("audit.log");
    try (AuditLog log = open(file)) {
      log.submit(event("r1"));
      log.submit(event("r2"));
    }
    try (AuditLog log = open(file)) {
      log.submit(event("r3"));
    }
    List<JsonNode> nodes = lines(file);
    assertEquals(3, nodes.size());
    assertEquals(3, nodes.get(2).get("seq").asLong());
    assertEquals(Optional.empty(), AuditVerifier.verify(file).broken());
  }

  @Test
  void tornLastLine_startsRecordedSegment() throws Exception {
    Path file = directory.resolve("audit.log");
    try (AuditLog log = open(file)) {
      log.submit(event("r1"));
      log.submit(event("r2"));
    }
    String torn = "{\"time\":\"2025-01-01T00:00:01.000Z\",\"request_id\":\"r3";
    Files.writeString(file, torn, java.nio.file.StandardOpenOption.APPEND);
    try (AuditLog log = open(file)) {
      log.submit(event("r4"));
    }
    List<String> raw = Files.readAllLines(file);
    assertEquals(5, raw.size());
    assertEquals(torn, raw.get(2));
    JsonNode restart = AuditChain.JSON.readTree(raw.get(3));
    assertEquals("chain-restart", restart.get("event").asText());
    assertEquals(torn.length(), restart.get("torn_bytes").asLong());
    assertEquals(1, restart.get("seq").asLong());
    assertEquals(
        AuditChain.sha256(torn.getBytes(StandardCharsets.UTF_8)),
        restart.get("prev_hash").asText());
    assertEquals(2, AuditChain.JSON.readTree(raw.get(4)).get("seq").asLong());
    AuditVerifier.Result result = AuditVerifier.verify(file);
    assertEquals(Optional.empty(), result.broken());
    assertEquals(3, result.events());
    assertEquals(1, result.restarts());
  }

  @Test
  void failingSink_rejectsThenRecoversWithoutLoss() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, Duration.ZERO);
    try {
      log.admit();
      sink.failing.set(true);
      log.submit(event("r1"));
      await(() -> log.problem().isPresent());
      assertTrue(log.problem().get().contains("No space left on device"), log.problem().get());
      AuditUnavailableException rejected =
          assertThrows(AuditUnavailableException.class, log::admit);
      assertTrue(rejected.getMessage().contains("cannot be written"), rejected.getMessage());
      assertEquals(1, log.outages());
      sink.failing.set(false);
      await(() -> log.problem().isEmpty());
      log.admit();
      await(() -> log.eventsWritten() == 1);
      assertEquals(0, log.eventsLost());
      assertEquals(1, sink.lines.size());
      assertTrue(sink.lines.get(0).contains("\"request_id\":\"r1\""));
    } finally {
      log.close();
    }
  }

  @Test
  void blockMode_holdsRequestsUntilRecovery() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.BLOCK, Duration.ZERO);
    try {
      sink.failing.set(true);
      log.submit(event("r1"));
      await(() -> log.problem().isPresent());
      CompletableFuture<Void> admitted =
          CompletableFuture.runAsync(
              () -> {
                try {
                  log.admit();
                } catch (AuditUnavailableException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(300);
      assertFalse(admitted.isDone());
      sink.failing.set(false);
      admitted.get(10, TimeUnit.SECONDS);
      await(() -> log.eventsWritten() == 1);
    } finally {
      log.close();
    }
  }

  @Test
  void replacedFile_isAProblem() throws Exception {
    Path file = directory.resolve("audit.log");
    try (AuditLog log = open(file)) {
      log.submit(event("r1"));
      await(() -> log.eventsWritten() == 1);
      Files.delete(file);
      Files.createDirectory(file);
      await(() -> log.problem().isPresent());
      assertTrue(log.problem().get().contains("was replaced"), log.problem().get());
    }
  }

  @Test
  void removedFile_recreatedWhileNoEventWaits() throws Exception {
    Path file = directory.resolve("audit.log");
    AuditSettings settings =
        new AuditSettings(
            Optional.of(file),
            100,
            AuditSettings.OnFailure.BLOCK,
            AuditSettings.DEFAULT_FETCH_FSYNC_DELAY);
    try (AuditLog log = AuditLog.open(settings, Clock.systemUTC())) {
      log.submit(event("r1"));
      await(() -> log.eventsWritten() == 1);
      Files.delete(file);

      await(() -> Files.exists(file));
      await(() -> log.problem().isEmpty());
      CompletableFuture.runAsync(
              () -> {
                try {
                  log.admit();
                } catch (AuditUnavailableException e) {
                  throw new IllegalStateException(e);
                }
              })
          .get(10, TimeUnit.SECONDS);
      log.submit(event("r2"));
      await(() -> log.eventsWritten() == 2);
    }
    List<JsonNode> nodes = lines(file);
    assertEquals(1, nodes.size());
    assertEquals("r2", nodes.get(0).get("request_id").asText());
    assertEquals(1, nodes.get(0).get("seq").asLong());
  }

  @Test
  void hasRoom_falseWhenOverHalfFull() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FlakySink blocking =
        new FlakySink() {
          @Override
          public void write(byte[] bytes, boolean force) throws IOException {
            writing.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted", e);
            }
            super.write(bytes, force);
          }
        };
    AuditLog log = start(blocking, AuditSettings.OnFailure.REJECT, Duration.ZERO);
    try {
      log.submit(event("r0"));
      assertTrue(writing.await(10, TimeUnit.SECONDS), "the writer never reached the sink");
      for (int i = 1; i <= 5; i++) {
        log.submit(event("r" + i));
      }
      assertTrue(log.hasRoom(), "queue depth " + log.queueDepth());
      log.submit(event("r6"));
      assertFalse(log.hasRoom(), "queue depth " + log.queueDepth());

      release.countDown();
      await(log::hasRoom);
      await(() -> log.eventsWritten() == 7);
    } finally {
      release.countDown();
      log.close();
    }
  }

  @Test
  void fetchEvents_forcedWithinDelay() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, Duration.ofMillis(300));
    try {
      log.submit(event("r1"));
      await(() -> log.eventsWritten() == 1);
      assertEquals(List.of(false), sink.writes);
      await(() -> sink.forces.get() == 1);
      assertEquals(List.of(false), sink.writes);
    } finally {
      log.close();
    }
  }

  /**
   * Submits {@code events} one at a time to a log with {@code fsyncDelay}, each after the one
   * before was written, and returns whether each write forced.
   */
  private static List<Boolean> forcedWrites(Duration fsyncDelay, AuditEvent... events)
      throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, fsyncDelay);
    try {
      for (int i = 0; i < events.length; i++) {
        log.submit(events[i]);
        long count = i + 1;
        await(() -> log.eventsWritten() == count);
      }
      assertEquals(0, sink.forces.get());
      return List.copyOf(sink.writes);
    } finally {
      log.close();
    }
  }

  @Test
  void pushEvent_forcedWithItsBatch() throws Exception {
    assertEquals(
        List.of(false, true), forcedWrites(Duration.ofSeconds(60), event("r1"), push("r2")));
  }

  @Test
  void deniedFetch_forcedWithItsBatch() throws Exception {
    AuditEvent allowed = event("r1");
    AuditEvent denied =
        new AuditEvent(
            allowed.time(),
            "r1",
            allowed.task(),
            allowed.tokenId(),
            allowed.clientAddress(),
            allowed.upstream(),
            "owner/secret",
            allowed.service(),
            true,
            0,
            "denied",
            "repository-not-granted",
            403,
            List.of(),
            0,
            90,
            1,
            0,
            0,
            null);

    assertEquals(List.of(true), forcedWrites(Duration.ofSeconds(60), denied));
  }

  @Test
  void zeroDelay_forcesEveryBatch() throws Exception {
    assertEquals(List.of(true, true), forcedWrites(Duration.ZERO, event("r1"), event("r2")));
  }

  @Test
  void submitAndAwait_trueOnceForced() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, Duration.ofSeconds(60));
    try {
      assertTrue(log.submitAndAwait(event("r1"), Duration.ofSeconds(10)));

      assertEquals(List.of(true), sink.writes);
      assertEquals(1, sink.lines.size());
    } finally {
      log.close();
    }
  }

  @Test
  void submitAndAwait_falseWhileSinkFails() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, Duration.ofSeconds(60));
    try {
      sink.failing.set(true);

      assertFalse(log.submitAndAwait(push("r1"), Duration.ofMillis(300)));

      sink.failing.set(false);
      await(() -> log.eventsWritten() == 1);
      assertEquals(List.of(true), sink.writes);
    } finally {
      log.close();
    }
  }

  @Test
  void close_forcesFetchEvents() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, Duration.ofSeconds(60));
    log.submit(event("r1"));
    await(() -> log.eventsWritten() == 1);
    assertEquals(0, sink.forces.get());

    log.close();

    assertEquals(1, sink.forces.get());
  }

  @Test
  void failingForce_rejectsUntilItSucceeds() throws Exception {
    FlakySink sink = new FlakySink();
    AuditLog log = start(sink, AuditSettings.OnFailure.REJECT, Duration.ofSeconds(1));
    try {
      log.submit(event("r1"));
      await(() -> log.eventsWritten() == 1);
      sink.failing.set(true);
      await(() -> log.problem().isPresent());
      assertThrows(AuditUnavailableException.class, log::admit);
      sink.failing.set(false);
      await(() -> log.problem().isEmpty());

      assertEquals(1, sink.forces.get());
      assertEquals(1, sink.lines.size());
    } finally {
      log.close();
    }
  }

  /**
   * A sink that fails with ENOSPC's message while {@link #failing} is set, and records whether each
   * write forced and how many forces succeeded.
   */
  static class FlakySink implements AuditSink {
    final AtomicBoolean failing = new AtomicBoolean();
    final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Boolean> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger forces = new AtomicInteger();

    @Override
    public Optional<Tail> open() {
      return Optional.empty();
    }

    @Override
    public void write(byte[] bytes, boolean force) throws IOException {
      if (failing.get()) {
        throw new IOException("No space left on device");
      }
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        lines.add(line);
      }
      writes.add(force);
    }

    @Override
    public void force() throws IOException {
      if (failing.get()) {
        throw new IOException("Input/output error");
      }
      forces.incrementAndGet();
    }

    @Override
    public void check() {}

    @Override
    public boolean canReopen() {
      return false;
    }

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public void close() {}
  }
}
