package dev.gitward.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs the real {@code git} command line client with an isolated configuration.
 *
 * <p>Every command gets a clean environment: {@code PATH}, {@code LANG=C}, a private {@code HOME}
 * and {@code XDG_CONFIG_HOME}, {@code GIT_CONFIG_NOSYSTEM=1}, {@code GIT_TERMINAL_PROMPT=0}, a
 * fixed author and committer identity, and no proxy, askpass or inherited {@code GIT_*} variables.
 * Instances are immutable, and each {@code with...} method returns a changed copy.
 */
public final class GitClient {
  /** The time one command may run before its process tree is killed. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  private static final Duration STREAM_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final ExecutorService STREAM_THREADS =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "git-client-stream");
            thread.setDaemon(true);
            return thread;
          });

  /*
   * The credential helper returns the username and password from its environment for "get",
   * so neither value passes through a shell parser. It appends each action that git requests
   * (get, store, erase) to a log file.
   */
  private static final String CREDENTIAL_HELPER =
      "!f() { cat >/dev/null; echo \"$1\" >>\"$GITWARD_TEST_CREDENTIAL_LOG\";"
          + " test \"$1\" = get || return 0;"
          + " printf 'username=%s\\npassword=%s\\n'"
          + " \"$GITWARD_TEST_CREDENTIAL_USERNAME\" \"$GITWARD_TEST_CREDENTIAL_PASSWORD\"; }; f";

  private final Path workDir;
  private final Path home;
  private final Map<String, String> extraEnv;
  private final List<String> configArgs;
  private final Duration timeout;
  private final @Nullable Path credentialLog;

  private GitClient(
      Path workDir,
      Path home,
      Map<String, String> extraEnv,
      List<String> configArgs,
      Duration timeout,
      @Nullable Path credentialLog) {
    this.workDir = workDir;
    this.home = home;
    this.extraEnv = Map.copyOf(extraEnv);
    this.configArgs = List.copyOf(configArgs);
    this.timeout = timeout;
    this.credentialLog = credentialLog;
  }

  /** Returns a client that runs commands in {@code workDir} with a new, empty home directory. */
  public static GitClient in(Path workDir) {
    Path home = ScratchDirectories.create("gitward-git-home");
    return new GitClient(workDir, home, Map.of(), List.of(), DEFAULT_TIMEOUT, null);
  }

  /** Returns a copy that runs commands in {@code directory} and keeps every other setting. */
  public GitClient at(Path directory) {
    return new GitClient(directory, home, extraEnv, configArgs, timeout, credentialLog);
  }

  /** Returns a copy that uses {@code directory} as {@code HOME} and {@code XDG_CONFIG_HOME}. */
  public GitClient withHome(Path directory) {
    return new GitClient(workDir, directory, extraEnv, configArgs, timeout, credentialLog);
  }

  /** Returns a copy that sets one more environment variable, replacing any earlier value. */
  public GitClient withEnv(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(extraEnv);
    env.put(name, value);
    return new GitClient(workDir, home, env, configArgs, timeout, credentialLog);
  }

  /** Returns a copy that passes {@code -c key=value} before every command. */
  public GitClient withConfig(String key, String value) {
    if (key.isEmpty() || key.contains("=")) {
      throw new IllegalArgumentException(
          "config key: " + key + " (expected: a non-empty git config key without '=')");
    }
    List<String> config = new ArrayList<>(configArgs);
    config.add(key + "=" + value);
    return new GitClient(workDir, home, extraEnv, config, timeout, credentialLog);
  }

  /** Returns a copy that kills a command's process tree after {@code limit}. */
  public GitClient withTimeout(Duration limit) {
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("timeout: " + limit + " (expected: a positive duration)");
    }
    return new GitClient(workDir, home, extraEnv, configArgs, limit, credentialLog);
  }

  /**
   * Returns a copy whose only credential helper returns {@code username} and {@code password}.
   *
   * <p>git runs a helper only after the server responded with 401, so this exercises the challenge
   * and retry. {@link #credentialHelperActions()} returns the actions that git requested.
   */
  public GitClient withCredential(String username, String password) {
    Path log = ScratchDirectories.create("gitward-credential").resolve("actions.log");
    return new GitClient(workDir, home, extraEnv, configArgs, timeout, log)
        .withEnv("GITWARD_TEST_CREDENTIAL_LOG", log.toString())
        .withEnv("GITWARD_TEST_CREDENTIAL_USERNAME", username)
        .withEnv("GITWARD_TEST_CREDENTIAL_PASSWORD", password)
        .withConfig("credential.helper", "")
        .withConfig("credential.helper", CREDENTIAL_HELPER);
  }

  /**
   * Returns the actions ({@code get}, {@code store}, {@code erase}) that git requested from the
   * helper of {@link #withCredential}, oldest first, or an empty list when there is no helper.
   */
  public List<String> credentialHelperActions() {
    if (credentialLog == null || !Files.exists(credentialLog)) {
      return List.of();
    }
    try {
      return List.copyOf(Files.readAllLines(credentialLog));
    } catch (IOException e) {
      throw new UncheckedIOException("reading credential helper log failed: " + credentialLog, e);
    }
  }

  /** Returns the directory that commands run in. */
  public Path workDir() {
    return workDir;
  }

  /** Runs {@code git args...} with an empty standard input and waits for it to exit. */
  public GitResult run(String... args) {
    return runWithInput(InputStream.nullInputStream(), args);
  }

  /** Runs {@code git args...} with {@code input} as its standard input, encoded as UTF-8. */
  public GitResult runWithInput(String input, String... args) {
    return runWithInput(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), args);
  }

  /**
   * Runs {@code git args...}, streaming {@code input} into its standard input on another thread.
   *
   * <p>Both output streams are drained concurrently, so a command that writes much output cannot
   * block. The output is kept in memory, so commands that print hundreds of megabytes need a
   * redirect of their own.
   *
   * @throws AssertionError when the command does not exit within the timeout, after its process
   *     tree was killed
   */
  public GitResult runWithInput(InputStream input, String... args) {
    List<String> fullArgs = fullArgs(args);
    List<String> command = new ArrayList<>();
    command.add("git");
    command.addAll(fullArgs);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("starting git failed: " + command, e);
    }
    return await(process, fullArgs, input);
  }

  private GitResult await(Process process, List<String> fullArgs, InputStream input) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    CompletableFuture<Void> stdoutDone = copyAsync(process.getInputStream(), stdout);
    CompletableFuture<Void> stderrDone = copyAsync(process.getErrorStream(), stderr);
    CompletableFuture<Void> stdinDone = feedAsync(input, process.getOutputStream());
    boolean exited = waitFor(process);
    if (!exited) {
      killTree(process);
    }
    awaitQuietly(stdinDone);
    awaitQuietly(stdoutDone);
    awaitQuietly(stderrDone);
    GitResult result =
        new GitResult(fullArgs, exited ? process.exitValue() : -1, text(stdout), text(stderr));
    if (!exited) {
      throw new AssertionError(result.describe("timed out after " + timeout + ", process killed"));
    }
    return result;
  }

  private List<String> fullArgs(String... args) {
    List<String> fullArgs = new ArrayList<>();
    for (String config : configArgs) {
      fullArgs.add("-c");
      fullArgs.add(config);
    }
    fullArgs.addAll(List.of(args));
    return fullArgs;
  }

  private Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("LANG", "C");
    env.put("LC_ALL", "C");
    env.put("HOME", home.toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_AUTHOR_NAME", "Gitward Test");
    env.put("GIT_AUTHOR_EMAIL", "test@gitward.invalid");
    env.put("GIT_COMMITTER_NAME", "Gitward Test");
    env.put("GIT_COMMITTER_EMAIL", "test@gitward.invalid");
    env.putAll(extraEnv);
    return env;
  }

  private boolean waitFor(Process process) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree(process);
      throw new AssertionError("interrupted while waiting for git", e);
    }
  }

  /**
   * Kills the children first, because git-remote-http keeps the output pipes open after git exits.
   */
  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static CompletableFuture<Void> copyAsync(InputStream from, ByteArrayOutputStream to) {
    return CompletableFuture.runAsync(
        () -> {
          try (from) {
            byte[] buffer = new byte[8192];
            for (int n; (n = from.read(buffer)) >= 0; ) {
              synchronized (to) {
                to.write(buffer, 0, n);
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        STREAM_THREADS);
  }

  /** Writes the input. A command that exits without reading all of it closes the pipe early. */
  private static CompletableFuture<Void> feedAsync(InputStream from, OutputStream to) {
    return CompletableFuture.runAsync(
        () -> {
          try (from;
              to) {
            from.transferTo(to);
          } catch (IOException e) {
            // The process closed its standard input early, and its exit code reports any failure.
          }
        },
        STREAM_THREADS);
  }

  private static void awaitQuietly(CompletableFuture<Void> stream) {
    try {
      stream.get(STREAM_CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // The output gathered so far is still reported.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String text(ByteArrayOutputStream output) {
    synchronized (output) {
      return output.toString(StandardCharsets.UTF_8);
    }
  }
}
