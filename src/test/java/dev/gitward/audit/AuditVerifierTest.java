package dev.gitward.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.cli.Gitward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditVerifierTest {
  @TempDir Path directory;
  private Path file;
  private List<String> lines;

  @BeforeEach
  void writeFiveEvents() throws Exception {
    file = directory.resolve("audit.log");
    try (AuditLog log = AuditLogTest.open(file)) {
      for (int i = 1; i <= 5; i++) {
        log.submit(AuditLogTest.event("r" + i));
      }
    }
    lines = Files.readAllLines(file);
    assertEquals(5, lines.size());
  }

  private AuditVerifier.Broken brokenAfter(List<String> changed) throws Exception {
    Path copy = directory.resolve("changed.log");
    Files.write(copy, changed);
    AuditVerifier.Result result = AuditVerifier.verify(copy);
    assertTrue(result.broken().isPresent(), "expected a broken chain");
    assertEquals(1, Gitward.run("audit", "verify", copy.toString()));
    return result.broken().get();
  }

  @Test
  void intactChain_isOk() throws Exception {
    AuditVerifier.Result result = AuditVerifier.verify(file);
    assertEquals(Optional.empty(), result.broken());
    assertEquals(5, result.events());
    assertEquals(5, result.lines());
    assertEquals(0, Gitward.run("audit", "verify", file.toString()));
  }

  @Test
  void editedLine_breaksAtNextLine() throws Exception {
    List<String> changed = new ArrayList<>(lines);
    changed.set(2, changed.get(2).replace("\"task-a\"", "\"task-b\""));
    AuditVerifier.Broken broken = brokenAfter(changed);
    assertEquals(4, broken.line());
    assertTrue(broken.reason().contains("prev_hash does not match"), broken.reason());
    assertTrue(broken.reason().contains("line 3"), broken.reason());
  }

  @Test
  void reformattedLine_breaksAtThatLine() throws Exception {
    List<String> changed = new ArrayList<>(lines);
    changed.set(1, changed.get(1).replace("\"task\":", "\"task\": "));
    AuditVerifier.Broken broken = brokenAfter(changed);
    assertEquals(2, broken.line());
    assertTrue(broken.reason().contains("canonical"), broken.reason());
  }

  @Test
  void deletedLine_breaksAtItsPlace() throws Exception {
    List<String> changed = new ArrayList<>(lines);
    changed.remove(2);
    AuditVerifier.Broken broken = brokenAfter(changed);
    assertEquals(3, broken.line());
    assertTrue(broken.reason().startsWith("seq 4 (expected: 3)"), broken.reason());
  }

  @Test
  void reorderedLines_breakAtFirstMovedLine() throws Exception {
    List<String> changed = new ArrayList<>(lines);
    Collections.swap(changed, 3, 4);
    AuditVerifier.Broken broken = brokenAfter(changed);
    assertEquals(4, broken.line());
    assertTrue(broken.reason().startsWith("seq 5 (expected: 4)"), broken.reason());
  }

  @Test
  void garbageLine_isNotARecord() throws Exception {
    List<String> changed = new ArrayList<>(lines);
    changed.set(1, "not json");
    AuditVerifier.Broken broken = brokenAfter(changed);
    assertEquals(2, broken.line());
    assertTrue(broken.reason().startsWith("not an audit record"), broken.reason());
  }

  @Test
  void missingFinalNewline_isIncomplete() throws Exception {
    Path copy = directory.resolve("cut.log");
    String text = Files.readString(file);
    Files.writeString(copy, text.substring(0, text.length() - 10));
    AuditVerifier.Broken broken = AuditVerifier.verify(copy).broken().orElseThrow();
    assertEquals(5, broken.line());
    assertTrue(broken.reason().startsWith("no newline at the end"), broken.reason());
  }

  @Test
  void missingFile_exitsTwo() {
    assertEquals(2, Gitward.run("audit", "verify", directory.resolve("none.log").toString()));
  }
}
