package dev.gitward.cli;

import dev.gitward.config.ConfigException;
import dev.gitward.config.EffectiveSettings;
import dev.gitward.config.GitwardConfig;
import dev.gitward.server.GitwardServer;
import dev.gitward.token.KeyRing;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gitward check-config}: validates the config and prints the effective settings. */
@Command(
    mixinStandardHelpOptions = true,
    name = "check-config",
    description = "Validate the config file and print the effective settings, secrets masked.")
final class CheckConfigCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    GitwardConfig settings;
    try {
      settings = config.load();
      List<String> problems = GitwardServer.check(settings, System.getenv());
      if (!problems.isEmpty()) {
        return ConfigOption.report(new ConfigException(problems), System.err);
      }
      KeyRing keys = KeyRing.load(settings.tokens().keyFiles());
      EffectiveSettings.lines(settings, System.getenv()).forEach(System.out::println);
      System.out.println(
          "tokens.keys: " + keys.keyIds() + " (signing: " + keys.signingKeyId() + ")");
      System.out.println("configuration is valid");
      return 0;
    } catch (ConfigException e) {
      return ConfigOption.report(e, System.err);
    } catch (IllegalArgumentException e) {
      System.err.println("gitward: invalid configuration:");
      System.err.println("  " + e.getMessage());
      return 2;
    }
  }
}
