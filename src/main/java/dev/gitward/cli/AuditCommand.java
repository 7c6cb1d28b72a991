package dev.gitward.cli;

import dev.gitward.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gitward audit}: commands on audit log files. */
@Command(
    name = "audit",
    description = "Work with audit log files.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code gitward audit verify FILE}: checks the hash chain of an audit file. */
  @Command(
      name = "verify",
      description =
          "Check the hash chain of an audit file. Exits 0 when it is intact, 1 at the first broken"
              + " line, 2 when the file cannot be read.")
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The audit log file.")
    Path file;

    @Override
    public Integer call() {
      AuditVerifier.Result result;
      try {
        result = AuditVerifier.verify(file);
      } catch (NoSuchFileException e) {
        System.err.println("gitward: " + file + ": not found (expected: an audit log file)");
        return 2;
      } catch (IOException e) {
        System.err.println("gitward: " + file + ": cannot be read (" + e.getMessage() + ")");
        return 2;
      }
      if (result.broken().isPresent()) {
        AuditVerifier.Broken broken = result.broken().get();
        System.out.println(file + ": BROKEN at line " + broken.line() + ": " + broken.reason());
        return 1;
      }
      System.out.println(
          file
              + ": OK, "
              + result.events()
              + " events in "
              + result.lines()
              + " lines, "
              + result.restarts()
              + " chain restarts; last line sha256 "
              + result.headHash());
      return 0;
    }
  }
}
