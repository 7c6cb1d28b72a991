package dev.gitward.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the demo's git commands with the real {@code git} client and prints each command and its
 * output: a clone, a push to the granted branch, and a push to {@code main} that Gitward rejects.
 */
public final class Walkthrough {
  private static final long COMMAND_TIMEOUT_SECONDS = 60;

  private final Demo demo;
  private final Path workDir;
  private final PrintStream out;

  public Walkthrough(Demo demo, Path workDir, PrintStream out) {
    this.demo = demo;
    this.workDir = workDir;
    this.out = out;
  }

  /** Returns whether a {@code git} client can be run. */
  public static boolean gitAvailable() {
    try {
      Process process = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs the steps; returns true when each ended as expected. */
  public boolean run() throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path clone = workDir.resolve("sample");
    boolean ok =
        step(
            "clone through Gitward (allowed)",
            workDir,
            true,
            "git",
            "clone",
            demo.remoteUrl(),
            "sample");
    Files.writeString(clone.resolve("agent.txt"), "written by the demo agent\n");
    ok &= step("commit a change", clone, true, "git", "add", "agent.txt");
    ok &= step(null, clone, true, "git", "commit", "-q", "-m", "Agent change");
    ok &=
        step(
            "push to the granted branch agent/demo (allowed)",
            clone,
            true,
            "git",
            "push",
            "origin",
            "HEAD:refs/heads/agent/demo");
    ok &=
        step(
            "push to main (rejected by Gitward; the upstream is not touched)",
            clone,
            false,
            "git",
            "push",
            "origin",
            "HEAD:refs/heads/main");
    return ok;
  }

  private boolean step(String title, Path directory, boolean expectSuccess, String... command)
      throws IOException, InterruptedException {
    if (title != null) {
      out.println();
      out.println("# " + title);
    }
    out.println("$ " + display(command));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().put("GIT_CONFIG_GLOBAL", demo.gitConfig().toString());
    builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    builder.environment().put("GIT_TERMINAL_PROMPT", "0");
    Process process = builder.start();
    process.getOutputStream().close();
    List<String> lines = new ArrayList<>();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    output.lines().forEach(lines::add);
    if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      out.println("  (timed out)");
      return false;
    }
    lines.forEach(line -> out.println("  " + line));
    boolean succeeded = process.exitValue() == 0;
    if (succeeded != expectSuccess) {
      out.println("  (unexpected: exit code " + process.exitValue() + ")");
    }
    return succeeded == expectSuccess;
  }

  private static String display(String... command) {
    StringBuilder line = new StringBuilder();
    for (String arg : command) {
      line.append(line.length() == 0 ? "" : " ");
      line.append(arg.contains(" ") ? "'" + arg + "'" : arg);
    }
    return line.toString();
  }
}
