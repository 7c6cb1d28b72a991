package dev.gitward.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Creates the demo's sample repository with JGit: a bare repository whose {@code main} contains
 * three commits with a README and a small Java program. Authors and dates are fixed, so every run
 * produces the same commit ids.
 */
public final class SampleRepository {
  /** The branch that contains the sample commits and that {@code HEAD} names. */
  public static final String BRANCH = "main";

  private static final Pattern NAME =
      Pattern.compile("(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*");
  private static final Instant FIRST_COMMIT_TIME = Instant.parse("2024-01-01T12:00:00Z");
  private static final String README_V1 = "# Sample\n\nA repository served by `gitward demo`.\n";
  private static final String README_V2 =
      README_V1 + "\nRun the greeting with `java src/demo/Hello.java`.\n";
  private static final String HELLO =
      "package demo;\n\n"
          + "public class Hello {\n"
          + "  public static void main(String[] args) {\n"
          + "    System.out.println(\"Hello from the Gitward demo\");\n"
          + "  }\n"
          + "}\n";

  /** One commit of the sample history: the message and the whole tree as path to text. */
  private record SampleCommit(String message, Map<String, String> files) {}

  private static final List<SampleCommit> HISTORY =
      List.of(
          new SampleCommit("Add README", Map.of("README.md", README_V1)),
          new SampleCommit(
              "Add a greeting program",
              Map.of("README.md", README_V1, "src/demo/Hello.java", HELLO)),
          new SampleCommit(
              "Explain how to run the greeting",
              Map.of("README.md", README_V2, "src/demo/Hello.java", HELLO)));

  private SampleRepository() {}

  /**
   * Creates the bare repository {@code name}, such as {@code demo/sample.git}, below {@code root}
   * and returns its path.
   *
   * @throws IllegalArgumentException when {@code name} is not slash-separated segments of {@code
   *     [A-Za-z0-9_.-]} or contains {@code ..}
   * @throws IllegalStateException when something already exists at that path
   * @throws UncheckedIOException when writing the repository fails
   */
  public static Path create(Path root, String name) {
    if (!NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException(
          "repository name: "
              + name
              + " (expected: slash-separated segments of [A-Za-z0-9_.-] without '..')");
    }
    Path directory = root.resolve(name).toAbsolutePath();
    if (Files.exists(directory)) {
      throw new IllegalStateException("repository already exists: " + directory);
    }
    try (Repository repository = initBare(directory)) {
      writeHistory(repository);
    } catch (IOException e) {
      throw new UncheckedIOException("creating sample repository failed: " + directory, e);
    }
    return directory;
  }

  private static Repository initBare(Path directory) throws IOException {
    Repository repository =
        new FileRepositoryBuilder().setGitDir(directory.toFile()).setBare().build();
    repository.create(true);
    // Linked here rather than by init.defaultBranch, which a user's git config may change.
    RefUpdate.Result head = repository.updateRef(Constants.HEAD).link(Constants.R_HEADS + BRANCH);
    if (head != RefUpdate.Result.NEW && head != RefUpdate.Result.FORCED) {
      throw new IOException("linking HEAD to " + BRANCH + " failed: " + head);
    }
    StoredConfig config = repository.getConfig();
    // Stock git and JGit servers read these, so the repository also works outside the demo host.
    config.setBoolean("http", null, "receivepack", true);
    config.setBoolean("uploadpack", null, "allowfilter", true);
    config.save();
    return repository;
  }

  private static void writeHistory(Repository repository) throws IOException {
    @Nullable ObjectId parent = null;
    try (ObjectInserter inserter = repository.newObjectInserter()) {
      for (int i = 0; i < HISTORY.size(); i++) {
        SampleCommit commit = HISTORY.get(i);
        ObjectId tree = writeTree(inserter, commit.files());
        parent = writeCommit(inserter, tree, parent, commit.message(), i);
      }
      inserter.flush();
    }
    RefUpdate update = repository.updateRef(Constants.R_HEADS + BRANCH);
    update.setNewObjectId(Objects.requireNonNull(parent, "sample history is empty"));
    update.setExpectedOldObjectId(ObjectId.zeroId());
    update.setRefLogMessage("sample repository", false);
    RefUpdate.Result result = update.update();
    if (result != RefUpdate.Result.NEW) {
      throw new IOException("creating " + update.getName() + " failed: " + result);
    }
  }

  private static ObjectId writeTree(ObjectInserter inserter, Map<String, String> files)
      throws IOException {
    DirCache index = DirCache.newInCore();
    DirCacheBuilder builder = index.builder();
    // DirCacheBuilder needs entries in path order, which for ASCII paths is String order.
    for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
      DirCacheEntry entry = new DirCacheEntry(file.getKey());
      entry.setFileMode(FileMode.REGULAR_FILE);
      byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
      entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, content));
      builder.add(entry);
    }
    builder.finish();
    return index.writeTree(inserter);
  }

  private static ObjectId writeCommit(
      ObjectInserter inserter, ObjectId tree, @Nullable ObjectId parent, String message, int index)
      throws IOException {
    Instant time = FIRST_COMMIT_TIME.plusSeconds(3600L * index);
    PersonIdent ident =
        new PersonIdent("Gitward Demo", "demo@gitward.invalid", time, ZoneOffset.UTC);
    CommitBuilder commit = new CommitBuilder();
    commit.setTreeId(tree);
    if (parent != null) {
      commit.setParentId(parent);
    }
    commit.setAuthor(ident);
    commit.setCommitter(ident);
    commit.setMessage(message + "\n");
    return inserter.insert(commit);
  }
}
