package dev.gitward.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gitward} command. */
@Command(
    name = "gitward",
    mixinStandardHelpOptions = true,
    version = "gitward 0.1.0",
    description = "A Git credential-scoping proxy for untrusted sandboxes.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      KeygenCommand.class,
      MintCommand.class,
      CheckConfigCommand.class,
      AuditCommand.class
    })
public final class Gitward implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code, for tests. */
  public static int run(String... args) {
    return new CommandLine(new Gitward()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }
}
