package dev.gitward.cli;

import dev.gitward.config.ConfigException;
import dev.gitward.config.GitwardConfig;
import dev.gitward.server.GitwardServer;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gitward serve}: runs the proxy and admin listeners until SIGTERM or SIGINT. */
@Command(
    mixinStandardHelpOptions = true,
    name = "serve",
    description = "Run the proxy and admin listeners.")
final class ServeCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    GitwardServer server;
    try {
      GitwardConfig settings = config.load();
      server = GitwardServer.start(settings, System.getenv(), Clock.systemUTC());
    } catch (ConfigException e) {
      return ConfigOption.report(e, System.err);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "gitward-shutdown"));
    stopped.await();
    return 0;
  }
}
