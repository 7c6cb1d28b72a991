import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a deterministic {@code git fast-import} stream to standard output, so the benchmark
 * repositories are identical on every machine: all content comes from a {@link SplittableRandom}
 * with a fixed seed (its algorithm is fixed by the JDK specification), and author and committer
 * dates are fixed.
 *
 * <p>Run as a single-file program, for example {@code java FastImportStream.java history --commits
 * 100 --files 20 | git fast-import}. Two modes:
 *
 * <ul>
 *   <li>{@code history}: a linear history on {@code refs/heads/main} that edits text files, adds a
 *       random binary file every {@code --binary-every} commits, and sets {@code --branches}
 *       branches and {@code --tags} lightweight tags on commits spread over the history.
 *   <li>{@code blob}: one commit on {@code refs/heads/main} that adds {@code --mb} MiB of random
 *       bytes at {@code --path}, on top of {@code --parent} (a commit id) when given.
 * </ul>
 */
public final class FastImportStream {
  private static final long EPOCH_SECONDS = 1_700_000_000L;
  private static final String[] WORDS = {
    "proxy",
    "token",
    "grant",
    "ref",
    "pack",
    "commit",
    "tree",
    "blob",
    "fetch",
    "push",
    "clone",
    "upstream",
    "stream",
    "header",
    "request",
    "response",
    "policy",
    "audit",
    "heap",
    "thread",
    "socket",
    "buffer",
    "length",
    "limit",
    "branch",
    "tag",
    "merge",
    "delta",
    "object",
    "index",
  };

  private final OutputStream out;
  private final SplittableRandom random;
  private int nextMark = 1;

  private FastImportStream(OutputStream out, long seed) {
    this.out = out;
    this.random = new SplittableRandom(seed);
  }

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      usage("missing mode");
    }
    Map<String, String> options = parseOptions(args);
    long seed = Long.parseLong(options.getOrDefault("seed", "42"));
    try (OutputStream stdout = new BufferedOutputStream(System.out, 1 << 20)) {
      FastImportStream stream = new FastImportStream(stdout, seed);
      switch (args[0]) {
        case "history" -> stream.writeHistory(options);
        case "blob" -> stream.writeBlobCommit(options);
        default -> usage("unknown mode: " + args[0]);
      }
    }
  }

  private static Map<String, String> parseOptions(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage("invalid option: " + args[i] + " (expected: --name value)");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static void usage(String problem) {
    System.err.println(
        "FastImportStream: "
            + problem
            + "\nusage: history [--commits N] [--files N] [--binary-every N] [--binary-kib N]"
            + " [--branches N] [--tags N] [--seed N]\n"
            + "       blob --mb N [--path P] [--parent COMMIT] [--seed N]");
    System.exit(2);
  }

  private static int intOption(Map<String, String> options, String name, int defaultValue) {
    return Integer.parseInt(options.getOrDefault(name, String.valueOf(defaultValue)));
  }

  private void writeHistory(Map<String, String> options) throws IOException {
    int commits = intOption(options, "commits", 100);
    int fileCount = intOption(options, "files", 20);
    int binaryEvery = intOption(options, "binary-every", 0);
    int binaryKib = intOption(options, "binary-kib", 256);
    int branches = intOption(options, "branches", 0);
    int tags = intOption(options, "tags", 0);

    List<List<String>> files = new ArrayList<>();
    for (int i = 0; i < fileCount; i++) {
      files.add(randomLines(40 + random.nextInt(160)));
    }
    int[] commitMarks = new int[commits];
    for (int c = 0; c < commits; c++) {
      List<String> changes = new ArrayList<>();
      int edited = c == 0 ? fileCount : 1 + random.nextInt(3);
      for (int e = 0; e < edited; e++) {
        int index = c == 0 ? e : random.nextInt(fileCount);
        editLines(files.get(index));
        int mark = writeBlob(String.join("\n", files.get(index)).getBytes(StandardCharsets.UTF_8));
        changes.add("M 100644 :" + mark + " src/file" + index + ".txt");
      }
      if (binaryEvery > 0 && c % binaryEvery == binaryEvery - 1) {
        int mark = writeBlob(randomBytes(binaryKib * 1024L));
        changes.add("M 100644 :" + mark + " assets/asset" + c + ".bin");
      }
      commitMarks[c] =
          writeCommit(c, "Change " + c, c == 0 ? null : ":" + commitMarks[c - 1], changes);
    }
    for (int b = 0; b < branches; b++) {
      writeReset("refs/heads/topic" + b, commitMarks[spread(b, branches, commits)]);
    }
    for (int t = 0; t < tags; t++) {
      writeReset("refs/tags/v" + t, commitMarks[spread(t, tags, commits)]);
    }
  }

  private static int spread(int index, int count, int commits) {
    return (int) ((long) (index + 1) * (commits - 1) / count);
  }

  private void writeBlobCommit(Map<String, String> options) throws IOException {
    long bytes = Long.parseLong(options.getOrDefault("mb", "1")) * 1024 * 1024;
    String path = options.getOrDefault("path", "payload.bin");
    int mark = writeBlob(randomBytes(bytes));
    writeCommit(0, "Add " + path, options.get("parent"), List.of("M 100644 :" + mark + " " + path));
  }

  private List<String> randomLines(int count) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(randomLine());
    }
    return lines;
  }

  private String randomLine() {
    StringBuilder line = new StringBuilder();
    int words = 4 + random.nextInt(10);
    for (int w = 0; w < words; w++) {
      line.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return line.toString();
  }

  /** Replaces, inserts or removes a few lines, so successive versions delta well. */
  private void editLines(List<String> lines) {
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = random.nextInt(lines.size());
      switch (random.nextInt(3)) {
        case 0 -> lines.set(at, randomLine());
        case 1 -> lines.add(at, randomLine());
        default -> {
          if (lines.size() > 10) {
            lines.remove(at);
          }
        }
      }
    }
  }

  private byte[] randomBytes(long length) {
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("blob size: " + length + " (expected: under 2 GiB)");
    }
    byte[] bytes = new byte[(int) length];
    for (int i = 0; i + 8 <= bytes.length; i += 8) {
      long value = random.nextLong();
      for (int b = 0; b < 8; b++) {
        bytes[i + b] = (byte) (value >>> (8 * b));
      }
    }
    return bytes;
  }

  private int writeBlob(byte[] content) throws IOException {
    int mark = nextMark++;
    write("blob\nmark :" + mark + "\ndata " + content.length + "\n");
    out.write(content);
    write("\n");
    return mark;
  }

  private int writeCommit(int index, String message, String parent, List<String> changes)
      throws IOException {
    int mark = nextMark++;
    long when = EPOCH_SECONDS + index * 60L;
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder commit = new StringBuilder();
    commit.append("commit refs/heads/main\nmark :").append(mark).append('\n');
    commit.append("author Bench Author <author@example.com> ").append(when).append(" +0000\n");
    commit.append("committer Bench Committer <committer@example.com> ");
    commit.append(when).append(" +0000\n");
    commit.append("data ").append(text.length).append('\n').append(message).append('\n');
    if (parent != null) {
      commit.append("from ").append(parent).append('\n');
    }
    for (String change : changes) {
      commit.append(change).append('\n');
    }
    write(commit.append('\n').toString());
    return mark;
  }

  private void writeReset(String ref, int commitMark) throws IOException {
    write("reset " + ref + "\nfrom :" + commitMark + "\n\n");
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
