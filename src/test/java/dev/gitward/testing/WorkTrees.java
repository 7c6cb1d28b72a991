package dev.gitward.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Commits in a clone's work tree with the real git client, for push tests. */
public final class WorkTrees {
  private WorkTrees() {}

  /** Writes {@code file} with unique text and commits it; returns the new commit id. */
  public static String commitFile(GitClient git, Path clone, String file) {
    write(clone.resolve(file), (file + " at " + System.nanoTime() + "\n").getBytes());
    return commit(git.at(clone), file);
  }

  /** Writes {@code size} seeded random bytes to {@code file} and commits it. */
  public static String commitRandomFile(GitClient git, Path clone, String file, int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    write(clone.resolve(file), bytes);
    return commit(git.at(clone), file);
  }

  private static void write(Path path, byte[] bytes) {
    try {
      Files.write(path, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String commit(GitClient inClone, String file) {
    inClone.run("add", file).assertSuccess();
    inClone
        .run(
            "-c",
            "user.name=Agent",
            "-c",
            "user.email=agent@example.com",
            "commit",
            "-q",
            "-m",
            "Add " + file)
        .assertSuccess();
    return inClone.run("rev-parse", "HEAD").assertSuccess().stdout().strip();
  }
}
