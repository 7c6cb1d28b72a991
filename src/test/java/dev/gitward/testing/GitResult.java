package dev.gitward.testing;

import java.util.List;

/**
 * The outcome of one {@code git} command that {@link GitClient} ran.
 *
 * @param args the arguments after {@code git}, including the {@code -c} options the client added
 * @param exitCode the exit code of the process
 * @param stdout the standard output, decoded as UTF-8
 * @param stderr the standard error, decoded as UTF-8
 */
public record GitResult(List<String> args, int exitCode, String stdout, String stderr) {
  public GitResult {
    args = List.copyOf(args);
  }

  /**
   * Throws an {@link AssertionError} that shows the command and its output unless it exited with 0.
   */
  public GitResult assertSuccess() {
    if (exitCode != 0) {
      throw new AssertionError(describe("exit code: " + exitCode + " (expected: 0)"));
    }
    return this;
  }

  /** Throws an {@link AssertionError} that shows the command and its output if it exited with 0. */
  public GitResult assertFailure() {
    if (exitCode == 0) {
      throw new AssertionError(describe("exit code: 0 (expected: non-zero)"));
    }
    return this;
  }

  /** Returns the command, the problem, and both output streams in one message. */
  String describe(String problem) {
    return "git "
        + String.join(" ", args)
        + "\n"
        + problem
        + "\n--- stdout ---\n"
        + stdout
        + "\n--- stderr ---\n"
        + stderr;
  }
}
