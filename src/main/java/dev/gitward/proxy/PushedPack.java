package dev.gitward.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.util.FileUtils;
import org.jspecify.annotations.Nullable;

/**
 * The pack of a push, indexed in a throwaway repository on disk so that Gitward can prove
 * fast-forwards from it. Only SHA-1 packs can be indexed, because JGit reads no SHA-256 pack.
 *
 * <p>The pack must be self-contained ({@code no-thin}): a delta against an object outside it fails
 * indexing, and the push is rejected rather than forwarded unchecked.
 */
final class PushedPack implements AutoCloseable {
  private final Path directory;
  private final Repository repository;

  private PushedPack(Path directory, Repository repository) {
    this.directory = directory;
    this.repository = repository;
  }

  /**
   * Indexes the pack read from {@code pack}.
   *
   * @throws InvalidPackException when the pack is malformed or refers to objects outside itself
   */
  static PushedPack index(InputStream pack, Path spoolDirectory)
      throws IOException, InvalidPackException {
    Path directory = Files.createTempDirectory(spoolDirectory, "gitward-pack-");
    Repository repository = new FileRepository(directory.toFile());
    SourceStream source = new SourceStream(pack);
    try {
      repository.create(true);
      try (ObjectInserter inserter = repository.newObjectInserter()) {
        PackParser parser = inserter.newPackParser(source);
        parser.setAllowThin(false);
        parser.setCheckEofAfterPackFooter(true);
        parser.parse(NullProgressMonitor.INSTANCE);
        inserter.flush();
      }
      return new PushedPack(directory, repository);
    } catch (IOException | RuntimeException e) {
      repository.close();
      deleteTree(directory);
      if (source.failure != null) {
        throw source.failure;
      }
      throw new InvalidPackException(
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  /** Remembers a failure of the request body, to tell it apart from a malformed pack. */
  private static final class SourceStream extends FilterInputStream {
    @Nullable IOException failure;

    SourceStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }

  /**
   * Returns whether {@code oldId} is reached by walking the pushed commits from {@code newId}. The
   * walk stays inside the pack: a parent outside it is compared but not walked further, so an
   * ancestor that the upstream already has but the pack does not include is not reached.
   */
  boolean reaches(String newId, String oldId) throws IOException {
    ObjectId start = ObjectId.fromString(newId);
    ObjectId target = ObjectId.fromString(oldId);
    if (!repository.getObjectDatabase().has(start)) {
      return false;
    }
    Set<ObjectId> seen = new HashSet<>();
    Deque<ObjectId> pending = new ArrayDeque<>();
    pending.add(start);
    try (RevWalk walk = new RevWalk(repository)) {
      while (!pending.isEmpty()) {
        ObjectId id = pending.removeFirst();
        if (id.equals(target)) {
          return true;
        }
        if (!seen.add(id) || !repository.getObjectDatabase().has(id)) {
          continue;
        }
        RevCommit commit = walk.parseCommit(id);
        for (RevCommit parent : commit.getParents()) {
          pending.add(parent.copy());
        }
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    repository.close();
    deleteTree(directory);
  }

  private static void deleteTree(Path root) throws IOException {
    FileUtils.delete(root.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING);
  }

  /** A pack that cannot be indexed as a self-contained pack. */
  static final class InvalidPackException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPackException(String message) {
      super(message);
    }
  }
}
