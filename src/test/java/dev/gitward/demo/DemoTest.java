package dev.gitward.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  @Test
  void walkthrough_clonesPushesAndShowsRejection(@TempDir Path folder) throws Exception {
    Path directory = Files.createDirectories(folder.resolve("demo"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Demo demo = Demo.start(directory, 0)) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(demo.gitConfig())));
      boolean ok =
          new Walkthrough(
                  demo,
                  folder.resolve("walk"),
                  new PrintStream(bytes, true, StandardCharsets.UTF_8))
              .run();
      String output = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(ok, output);
      assertTrue(output.contains("* [new branch]      HEAD -> agent/demo"), output);
      assertTrue(
          output.contains(
              "! [remote rejected] HEAD -> main (task demo-task may not"
                  + " update refs/heads/main"),
          output);
      assertFalse(output.contains(demo.token().token()), "the walkthrough prints no token");
      // The audit log is written asynchronously, so the last event may trail the git command.
      String audit = "";
      for (int i = 0; i < 50 && !audit.contains("\"reason\":\"ref-not-granted\""); i++) {
        Thread.sleep(100);
        audit = Files.readString(demo.auditLog());
      }
      assertTrue(audit.contains("\"reason\":\"ref-not-granted\""), audit);
      assertFalse(audit.contains(demo.token().token()), "the audit log holds no token");
    }
    assertFalse(Files.exists(directory), "closing the demo deletes its key and token");
  }
}
