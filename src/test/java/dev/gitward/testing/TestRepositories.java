package dev.gitward.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Creates and seeds bare repositories under a root folder with the real {@code git} client.
 *
 * <p>Commits are made in a temporary work tree and pushed into the bare repository over the local
 * transport, so a pre-receive hook that is already installed runs for them too. Author and
 * committer dates start at {@link #FIRST_COMMIT_EPOCH_SECONDS} and advance one minute per commit of
 * this instance, so the same sequence of calls always produces the same object ids.
 */
public final class TestRepositories {
  /** The repository that task tokens in the end-to-end tests may fetch and push to. */
  public static final String ALLOWED = "owner/allowed.git";

  /** The repository that task tokens in the end-to-end tests may not reach. */
  public static final String SECRET = "owner/secret.git";

  /** The commit time of the first commit, 2023-11-14T22:13:20Z. */
  public static final long FIRST_COMMIT_EPOCH_SECONDS = 1_700_000_000L;

  private static final Pattern NAME =
      Pattern.compile("(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*");

  private final Path root;
  private final GitClient git;
  private final AtomicInteger commitCount = new AtomicInteger();

  private TestRepositories(Path root) {
    this.root = root;
    this.git = GitClient.in(root);
  }

  /**
   * Returns a fixture that creates repositories under {@code root}, such as the backend root,
   * creating the folder when it is missing.
   */
  public static TestRepositories in(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("creating the repository root failed: " + root, e);
    }
    return new TestRepositories(root.toAbsolutePath());
  }

  /** Returns the folder that repository names are resolved against. */
  public Path root() {
    return root;
  }

  /** Returns the folder of repository {@code name}, such as {@code owner/allowed.git}. */
  public Path path(String name) {
    if (!NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException(
          "repository name: "
              + name
              + " (expected: slash-separated segments of [A-Za-z0-9_.-] without '..')");
    }
    return root.resolve(name);
  }

  /**
   * Creates an empty bare repository with {@code main} as its default branch, receive-pack enabled,
   * and uploads of filtered and unadvertised objects allowed.
   */
  public Path createBare(String name) {
    Path repository = path(name);
    if (Files.exists(repository)) {
      throw new IllegalStateException("repository already exists: " + repository);
    }
    git.run("init", "--quiet", "--bare", "--initial-branch=main", repository.toString())
        .assertSuccess();
    GitClient inRepository = git.at(repository);
    inRepository.run("config", "http.receivepack", "true").assertSuccess();
    inRepository.run("config", "uploadpack.allowFilter", "true").assertSuccess();
    inRepository.run("config", "uploadpack.allowAnySHA1InWant", "true").assertSuccess();
    return repository;
  }

  /**
   * Creates {@link #ALLOWED} with two commits on {@code main} and {@code refs/heads/agent/base} at
   * the first of them.
   */
  public Path createAllowed() {
    Path repository = createBare(ALLOWED);
    String first =
        commitFiles(repository, "main", Map.of("README.md", "# allowed\n"), "Add README");
    updateRef(repository, "refs/heads/agent/base", first);
    commitFiles(
        repository, "main", Map.of("src/hello.txt", "hello from allowed\n"), "Add a source file");
    return repository;
  }

  /** Creates {@link #SECRET} with one commit on {@code main}. */
  public Path createSecret() {
    Path repository = createBare(SECRET);
    commitFiles(repository, "main", Map.of("secret.txt", "not for agents\n"), "Add secret");
    return repository;
  }

  /**
   * Commits {@code files} (path to UTF-8 text) on top of {@code branch}, creating the branch when
   * it is missing, and returns the new commit id.
   */
  public String commitFiles(
      Path repository, String branch, Map<String, String> files, String message) {
    return commit(
        repository,
        branch,
        message,
        workTree -> {
          for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = workTree.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
          }
        });
  }

  /**
   * Commits a file {@code fileName} of {@code size} pseudo-random bytes on top of {@code branch}
   * and returns the new commit id. The content is streamed to disk and stored without zlib
   * compression, which would not shrink it anyway.
   */
  public String commitPseudoRandomBlob(
      Path repository, String branch, String fileName, long size, long seed) {
    return commit(
        repository,
        branch,
        "Add " + size + " pseudo-random bytes",
        workTree -> PseudoRandomFile.write(workTree.resolve(fileName), size, seed));
  }

  /**
   * Creates {@code count} annotated tags {@code refs/tags/tag-0001} and so on at the tip of {@code
   * main}, with one {@code git fast-import} run. Annotated tags have distinct object ids, so a
   * clone sends one want line per tag.
   */
  public void createTags(Path repository, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("tag count: " + count + " (expected: >= 1)");
    }
    String target = refs(repository).get("refs/heads/main");
    if (target == null) {
      throw new IllegalStateException("refs/heads/main: missing in " + repository);
    }
    StringBuilder stream = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      String name = String.format("tag-%04d", i);
      String message = name + "\n";
      stream.append("tag ").append(name).append('\n');
      stream.append("from ").append(target).append('\n');
      stream.append("tagger Gitward Test <test@gitward.invalid> ");
      stream.append(FIRST_COMMIT_EPOCH_SECONDS).append(" +0000\n");
      stream.append("data ").append(message.length()).append('\n').append(message);
    }
    git.at(repository).runWithInput(stream.toString(), "fast-import", "--quiet").assertSuccess();
  }

  /** Points {@code ref} at {@code id}, creating or moving it without any check. */
  public void updateRef(Path repository, String ref, String id) {
    git.at(repository).run("update-ref", ref, id).assertSuccess();
  }

  /** Installs {@code script} as the executable pre-receive hook of {@code repository}. */
  public void addPreReceiveHook(Path repository, String script) {
    Path hook = repository.resolve("hooks").resolve("pre-receive");
    try {
      Files.createDirectories(hook.getParent());
      Files.writeString(hook, script);
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException("writing pre-receive hook failed: " + hook, e);
    }
  }

  /** Returns every ref of {@code repository} (HEAD excluded) mapped to its object id, sorted. */
  public Map<String, String> refs(Path repository) {
    String output =
        git.at(repository)
            .run("for-each-ref", "--format=%(refname) %(objectname)")
            .assertSuccess()
            .stdout();
    Map<String, String> refs = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      if (!line.isEmpty()) {
        int space = line.indexOf(' ');
        refs.put(line.substring(0, space), line.substring(space + 1));
      }
    }
    return refs;
  }

  private String commit(Path repository, String branch, String message, WorkTreeChange change) {
    Path workTree = ScratchDirectories.create("gitward-seed");
    try {
      GitClient inWorkTree = checkOut(repository, branch, workTree);
      change.apply(workTree);
      inWorkTree.run("add", "--all").assertSuccess();
      inWorkTree.run("commit", "--quiet", "--message", message).assertSuccess();
      inWorkTree.run("push", "--quiet", "origin", "HEAD:refs/heads/" + branch).assertSuccess();
      return inWorkTree.run("rev-parse", "HEAD").assertSuccess().stdout().strip();
    } catch (IOException e) {
      throw new UncheckedIOException("preparing a commit failed in " + workTree, e);
    } finally {
      ScratchDirectories.delete(workTree);
    }
  }

  /** Clones with alternates, so no objects are copied, and checks out {@code branch}. */
  private GitClient checkOut(Path repository, String branch, Path workTree) {
    git.run(
            "clone",
            "--quiet",
            "--shared",
            "--no-checkout",
            repository.toString(),
            workTree.toString())
        .assertSuccess();
    long seconds = FIRST_COMMIT_EPOCH_SECONDS + 60L * commitCount.getAndIncrement();
    String date = "@" + seconds + " +0000";
    GitClient inWorkTree =
        git.at(workTree)
            .withEnv("GIT_AUTHOR_DATE", date)
            .withEnv("GIT_COMMITTER_DATE", date)
            .withConfig("core.compression", "0");
    if (refs(repository).containsKey("refs/heads/" + branch)) {
      inWorkTree.run("checkout", "--quiet", "-B", branch, "origin/" + branch).assertSuccess();
    } else {
      inWorkTree.run("symbolic-ref", "HEAD", "refs/heads/" + branch).assertSuccess();
    }
    return inWorkTree;
  }

  /** A change to the files of a work tree before it is committed. */
  @FunctionalInterface
  private interface WorkTreeChange {
    void apply(Path workTree) throws IOException;
  }
}
