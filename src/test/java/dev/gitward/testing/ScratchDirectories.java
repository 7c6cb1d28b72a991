package dev.gitward.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Temporary directories of the fixtures, deleted with their contents when the JVM exits. */
public final class ScratchDirectories {
  private static final List<Path> CREATED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ScratchDirectories::deleteAll));
  }

  private ScratchDirectories() {}

  /** Creates a new directory under the system temporary directory. */
  public static Path create(String prefix) {
    try {
      Path directory = Files.createTempDirectory(prefix);
      synchronized (CREATED) {
        CREATED.add(directory);
      }
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("creating a temporary directory failed: " + prefix, e);
    }
  }

  /** Deletes {@code directory} and everything below it, and does nothing when it is missing. */
  static void delete(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting a temporary directory failed: " + directory, e);
    }
  }

  private static void deleteAll() {
    synchronized (CREATED) {
      for (Path directory : CREATED) {
        try {
          delete(directory);
        } catch (UncheckedIOException e) {
          // Shutdown continues; the operating system cleans its temporary directory later.
        }
      }
    }
  }
}
