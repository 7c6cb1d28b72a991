package dev.gitward.cli;

import dev.gitward.config.ConfigException;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that read the config file. */
final class ConfigOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "the YAML config file",
      defaultValue = "config/gitward.yaml",
      showDefaultValue = picocli.CommandLine.Help.Visibility.ALWAYS)
  Path file;

  GitwardConfig load() throws ConfigException {
    return new ConfigLoader(System.getenv()).load(file);
  }

  /** Prints every problem of a rejected config, one line each, and returns exit code 2. */
  static int report(ConfigException error, PrintStream err) {
    err.println("gitward: invalid configuration:");
    error.problems().forEach(problem -> err.println("  " + problem));
    return 2;
  }
}
