package dev.gitward.cli;

import dev.gitward.config.ConfigException;
import dev.gitward.demo.Demo;
import dev.gitward.demo.Walkthrough;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gitward demo}: Gitward in front of an embedded Git host, with no setup. */
@Command(
    mixinStandardHelpOptions = true,
    name = "demo",
    description = "Run Gitward against an embedded Git host on loopback, with no setup.")
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "8080",
      paramLabel = "PORT",
      description = "proxy port on 127.0.0.1 (0 picks a free one); default: ${DEFAULT-VALUE}")
  int port;

  @Option(
      names = "--no-walkthrough",
      description = "do not run the clone and push commands with the local git client")
  boolean noWalkthrough;

  @Option(names = "--exit", description = "stop after the walkthrough instead of serving")
  boolean exit;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("gitward-demo-");
    Demo demo;
    try {
      demo = Demo.start(directory, port);
    } catch (ConfigException e) {
      return ConfigOption.report(e, System.err);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  demo.close();
                  stopped.countDown();
                },
                "gitward-demo-shutdown"));
    PrintStream out = System.out;
    printSummary(demo, out);
    boolean ok = true;
    if (!noWalkthrough && Walkthrough.gitAvailable()) {
      ok = new Walkthrough(demo, directory.resolve("walkthrough"), out).run();
      out.println();
      out.println(
          ok
              ? "Walkthrough finished: the clone and the agent push went through, and"
                  + " Gitward rejected the push to main."
              : "Walkthrough failed: see the output above.");
    }
    if (exit) {
      return ok ? 0 : 1;
    }
    printTryIt(demo, out);
    stopped.await();
    return 0;
  }

  private static void printSummary(Demo demo, PrintStream out) {
    out.println("Gitward demo");
    out.println(
        "  embedded Git host: " + demo.hostUrl() + " (JGit, repository " + Demo.REPOSITORY + ")");
    out.println("  Gitward proxy:     " + demo.proxyUrl());
    out.println(
        "  task token:        jti "
            + demo.token().tokenId()
            + ", task "
            + demo.token().task()
            + ", expires "
            + demo.token().expiresAt());
    out.println("  token grants:      " + demo.describeGrants());
    out.println("  audit log:         " + demo.auditLog() + " (one JSON line per git request)");
    out.println(
        "  git config:        "
            + demo.gitConfig()
            + " (sends the token to Gitward only; mode 0600)");
  }

  private static void printTryIt(Demo demo, PrintStream out) {
    out.println();
    out.println("Try it yourself in another terminal:");
    out.println("  export GIT_CONFIG_GLOBAL=" + demo.gitConfig());
    out.println("  git clone " + demo.remoteUrl() + " && cd sample");
    out.println("  echo hello > agent.txt && git add agent.txt && git commit -m 'Agent change'");
    out.println("  git push origin HEAD:refs/heads/agent/try   # allowed by the token");
    out.println("  git push origin HEAD:refs/heads/main        # rejected by Gitward");
    out.println();
    out.println("Press Ctrl-C to stop.");
  }
}
