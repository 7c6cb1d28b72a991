package dev.gitward.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Seeded random mutations of the part of a push body before the pack: flipped bytes, changed
 * pkt-line lengths, swapped, dropped and duplicated lines, replaced ids and ref names, changed
 * capabilities, extra shallow lines and flushes, and truncation.
 *
 * <p>It splits the body with its own small pkt-line reader, so that it does not depend on the
 * parser under test. The input must be a valid push body.
 */
final class ReceivePackMutator {
  private static final byte[] FLUSH = bytes("0000");

  private static final List<String> CAPABILITIES =
      List.of(
          "atomic",
          "push-options",
          "report-status",
          "report-status-v2",
          "side-band-64k",
          "quiet",
          "ofs-delta",
          "object-format=sha1",
          "object-format=sha256",
          "push-cert=1700000000-abc",
          "agent=git/2.39.5",
          "session-id=x");

  private static final List<String> REF_NAMES =
      List.of(
          "refs/heads/main",
          "refs/heads/feature",
          "refs/heads/agent/mutated",
          "refs/tags/v1",
          "HEAD",
          "main",
          "refs/heads/a..b",
          "refs/heads/x.lock",
          "refs/heads/.hidden",
          "refs/heads/a/",
          "refs/heads//a",
          "refs/heads/a b",
          "refs/heads/a~1",
          "refs/heads/a@{1}",
          "refs/heads/a\\b",
          "refs/heads/\u00fc",
          "refs/heads/a\n",
          "refs/heads/a\r",
          "refs/heads/a\nb",
          "refs/heads/" + "x".repeat(300),
          "");

  private static final byte[] INTERESTING_BYTES = {
    0, '\n', '\r', ' ', '0', '9', 'a', 'f', 'g', 'A', 'F', '/', '.', '~', (byte) 0x80, (byte) 0xff
  };

  private final Random random;
  private final List<String> knownIds;

  /**
   * Creates a mutator.
   *
   * @param random the source of every choice, seeded by the caller so a run can be repeated
   * @param knownIds ids of commits in the SHA-1 target repository, to swap into commands
   */
  ReceivePackMutator(Random random, List<String> knownIds) {
    this.random = random;
    this.knownIds = List.copyOf(knownIds);
  }

  /** A mutated body and the steps that produced it, for failure messages. */
  record Mutation(String description, byte[] body) {}

  /** Applies one to three random mutations to {@code body}. */
  Mutation mutate(byte[] body) {
    int steps = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
    List<String> description = new ArrayList<>();
    byte[] mutated = body;
    for (int i = 0; i < steps; i++) {
      PushBody parts = PushBody.split(mutated);
      if (parts == null) {
        description.add("(stopped: no longer splits into pkt-lines)");
        break;
      }
      Mutation step = mutateOnce(parts);
      description.add(step.description());
      mutated = step.body();
    }
    return new Mutation(String.join(", then ", description), mutated);
  }

  private Mutation mutateOnce(PushBody body) {
    switch (random.nextInt(14)) {
      case 0:
        return swapLines(body);
      case 1:
        return duplicateCommand(body);
      case 2:
        return dropLine(body);
      case 3:
      case 4:
        return changeCapabilities(body);
      case 5:
        return replaceId(body);
      case 6:
        return replaceRefName(body);
      case 7:
        return insertShallow(body);
      case 8:
        return appendToLine(body);
      case 9:
        return changePushOptions(body);
      case 10:
        return flipByte(body);
      case 11:
        return changeLength(body);
      case 12:
        return insertFlush(body);
      default:
        return truncate(body);
    }
  }

  private Mutation swapLines(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    if (lines.size() < 2) {
      return dropLine(body);
    }
    int a = random.nextInt(lines.size());
    int b = random.nextInt(lines.size());
    byte[] line = lines.get(a);
    lines.set(a, lines.get(b));
    lines.set(b, line);
    return new Mutation("swap lines " + a + " and " + b, body.withCommands(lines).encode());
  }

  /** Repeats a command without its capabilities, so the same ref appears twice. */
  private Mutation duplicateCommand(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    int source = random.nextInt(lines.size());
    byte[] copy = withoutCapabilities(lines.get(source));
    if (random.nextBoolean() && copy.length > 82 && !isShallow(copy)) {
      copy = replaceRange(copy, 41, 81, bytes(randomKnownId()));
    }
    int target = random.nextInt(lines.size() + 1);
    lines.add(target, copy);
    return new Mutation("copy line " + source + " to " + target, body.withCommands(lines).encode());
  }

  private Mutation dropLine(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    int index = random.nextInt(lines.size());
    lines.remove(index);
    return new Mutation("drop line " + index, body.withCommands(lines).encode());
  }

  private Mutation changeCapabilities(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    int first = firstCommandIndex(lines);
    if (first < 0) {
      return flipByte(body);
    }
    byte[] line = lines.get(first);
    int nul = indexOf(line, (byte) 0);
    String command = text(line, 0, nul < 0 ? line.length : nul);
    List<String> capabilities =
        new ArrayList<>(
            nul < 0 ? List.of() : Arrays.asList(text(line, nul + 1, line.length).split(" ")));
    String step;
    switch (random.nextInt(6)) {
      case 0:
        if (capabilities.isEmpty()) {
          return new Mutation("no capabilities to remove", body.encode());
        }
        step = "remove capability " + capabilities.remove(random.nextInt(capabilities.size()));
        break;
      case 1:
      case 2:
        String added = CAPABILITIES.get(random.nextInt(CAPABILITIES.size()));
        capabilities.add(random.nextInt(capabilities.size() + 1), added);
        step = "add capability " + added;
        break;
      case 3:
        lines.set(first, bytes(command));
        return new Mutation("remove the NUL and every capability", encode(body, lines));
      case 4:
        int target = random.nextInt(lines.size());
        lines.set(first, bytes(command));
        byte[] moved = withoutCapabilities(lines.get(target));
        lines.set(target, concat(moved, new byte[] {0}, bytes(String.join(" ", capabilities))));
        return new Mutation("move capabilities to line " + target, encode(body, lines));
      default:
        lines.set(first, concat(line, new byte[] {0}, bytes("atomic")));
        return new Mutation("add a second NUL", encode(body, lines));
    }
    lines.set(first, concat(bytes(command), new byte[] {0}, bytes(String.join(" ", capabilities))));
    return new Mutation(step, encode(body, lines));
  }

  /**
   * Replaces an old or new id with the zero id, a known id, an uppercase copy, a changed digit, or
   * one digit fewer or more.
   */
  private Mutation replaceId(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    int index = random.nextInt(lines.size());
    byte[] line = lines.get(index);
    int hexLength = hexLength(line);
    int start = isShallow(line) ? 8 : random.nextBoolean() ? 0 : hexLength + 1;
    if (line.length < start + hexLength) {
      return appendToLine(body);
    }
    String id = text(line, start, start + hexLength);
    String replacement;
    switch (random.nextInt(6)) {
      case 0:
        replacement = "0".repeat(hexLength);
        break;
      case 1:
        replacement = hexLength == 40 ? randomKnownId() : id.substring(0, 40);
        break;
      case 2:
        replacement = id.toUpperCase(Locale.ROOT);
        break;
      case 3:
        char last = id.charAt(id.length() - 1);
        replacement = id.substring(0, id.length() - 1) + (last == 'a' ? 'b' : 'a');
        break;
      case 4:
        replacement = id.substring(1);
        break;
      default:
        replacement = id + "a";
        break;
    }
    lines.set(index, replaceRange(line, start, start + hexLength, bytes(replacement)));
    return new Mutation(
        "replace id " + id + " on line " + index + " with " + replacement, encode(body, lines));
  }

  private Mutation replaceRefName(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    int index = random.nextInt(lines.size());
    byte[] line = lines.get(index);
    int start = 2 * hexLength(line) + 2;
    if (isShallow(line) || line.length < start) {
      return insertShallow(body);
    }
    int nul = indexOf(line, (byte) 0);
    String refName = REF_NAMES.get(random.nextInt(REF_NAMES.size()));
    byte[] encoded =
        random.nextInt(8) == 0
            ? concat(bytes("refs/heads/latin1-"), new byte[] {(byte) 0xe9})
            : refName.getBytes(StandardCharsets.UTF_8);
    lines.set(index, replaceRange(line, start, nul < 0 ? line.length : nul, encoded));
    return new Mutation(
        "replace the ref name on line " + index + " with " + describe(encoded),
        encode(body, lines));
  }

  private Mutation insertShallow(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    String suffix = random.nextInt(4) == 0 ? " extra" : "";
    byte[] shallow = bytes("shallow " + randomKnownId() + suffix);
    int index = random.nextInt(lines.size() + 1);
    lines.add(index, shallow);
    return new Mutation(
        "insert " + describe(shallow) + " at line " + index, body.withCommands(lines).encode());
  }

  private Mutation appendToLine(PushBody body) {
    List<byte[]> lines = new ArrayList<>(body.commandSection());
    int index = random.nextInt(lines.size());
    byte[] suffix =
        switch (random.nextInt(5)) {
          case 0 -> bytes(" ");
          case 1 -> bytes("\n");
          case 2 -> bytes("\n\n");
          case 3 -> new byte[] {0};
          default -> bytes("x");
        };
    lines.set(index, concat(lines.get(index), suffix));
    return new Mutation(
        "append " + describe(suffix) + " to line " + index, body.withCommands(lines).encode());
  }

  /** Adds, drops or corrupts a push option, or adds an option section that was not requested. */
  private Mutation changePushOptions(PushBody body) {
    List<byte[]> options =
        body.options() == null ? new ArrayList<>() : new ArrayList<>(body.options());
    byte[] option =
        switch (random.nextInt(5)) {
          case 0 -> bytes("ci.skip");
          case 1 -> bytes("a=b c");
          case 2 -> bytes("bad\0option");
          case 3 -> bytes("two\nlines");
          default -> new byte[] {'o', (byte) 0xff};
        };
    if (!options.isEmpty() && random.nextBoolean()) {
      int index = random.nextInt(options.size());
      options.remove(index);
      return new Mutation(
          "drop push option " + index,
          new PushBody(body.commandSection(), options, body.pack()).encode());
    }
    options.add(random.nextInt(options.size() + 1), option);
    return new Mutation(
        "add push option " + describe(option),
        new PushBody(body.commandSection(), options, body.pack()).encode());
  }

  private Mutation flipByte(PushBody body) {
    byte[] encoded = body.encode();
    int position = random.nextInt(body.headLength());
    byte value =
        random.nextBoolean()
            ? INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]
            : (byte) random.nextInt(256);
    byte old = encoded[position];
    encoded[position] = value;
    return new Mutation(
        "set byte " + position + " from " + (old & 0xff) + " to " + (value & 0xff), encoded);
  }

  private Mutation changeLength(PushBody body) {
    byte[] encoded = body.encode();
    List<Integer> starts = body.packetStarts();
    int start = starts.get(random.nextInt(starts.size()));
    String header = text(encoded, start, start + 4);
    int length = Integer.parseInt(header, 16);
    String replacement =
        switch (random.nextInt(4)) {
          case 0 -> String.format("%04x", Math.max(0, length + random.nextInt(11) - 5));
          case 1 -> List.of("0000", "0001", "0002", "0003", "0004").get(random.nextInt(5));
          case 2 -> List.of("fff0", "fff1", "ffff", "FFF0").get(random.nextInt(4));
          default -> List.of("00g0", "-001", " 04a", "0x10").get(random.nextInt(4));
        };
    byte[] mutated = replaceRange(encoded, start, start + 4, bytes(replacement));
    return new Mutation(
        "change the length " + header + " at byte " + start + " to " + replacement, mutated);
  }

  private Mutation insertFlush(PushBody body) {
    byte[] encoded = body.encode();
    List<Integer> starts = body.packetStarts();
    int start = starts.get(random.nextInt(starts.size()));
    return new Mutation(
        "insert a flush at byte " + start, replaceRange(encoded, start, start, FLUSH));
  }

  private Mutation truncate(PushBody body) {
    byte[] encoded = body.encode();
    boolean inHead = random.nextInt(3) > 0 || encoded.length == body.headLength();
    int length =
        inHead
            ? random.nextInt(body.headLength())
            : body.headLength() + random.nextInt(encoded.length - body.headLength());
    return new Mutation(
        "truncate to " + length + " of " + encoded.length + " bytes",
        Arrays.copyOf(encoded, length));
  }

  private String randomKnownId() {
    return knownIds.get(random.nextInt(knownIds.size()));
  }

  private static byte[] encode(PushBody body, List<byte[]> commandSection) {
    return body.withCommands(commandSection).encode();
  }

  private static int firstCommandIndex(List<byte[]> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (!isShallow(lines.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isShallow(byte[] line) {
    return text(line, 0, line.length).startsWith("shallow ");
  }

  /** Guesses the id length of a line from the position of its first space. */
  private static int hexLength(byte[] line) {
    String text = text(line, 0, line.length);
    return text.length() > 64 && text.charAt(64) == ' ' ? 64 : 40;
  }

  private static byte[] withoutCapabilities(byte[] line) {
    int nul = indexOf(line, (byte) 0);
    return nul < 0 ? line : Arrays.copyOf(line, nul);
  }

  /** The head of a push body split into pkt-line payloads, and the bytes after it. */
  private record PushBody(
      List<byte[]> commandSection, @Nullable List<byte[]> options, byte[] pack) {
    /**
     * Splits a body into the section up to the first flush, the push option section when the first
     * line requests {@code push-options}, and the rest. Returns null if the framing is broken.
     */
    static @Nullable PushBody split(byte[] body) {
      int[] position = {0};
      List<byte[]> commands = readSection(body, position);
      if (commands == null || commands.isEmpty()) {
        return null;
      }
      List<byte[]> options = null;
      if (text(commands.get(0), 0, commands.get(0).length).contains("push-options")) {
        options = readSection(body, position);
        if (options == null) {
          return null;
        }
      }
      return new PushBody(commands, options, Arrays.copyOfRange(body, position[0], body.length));
    }

    private static @Nullable List<byte[]> readSection(byte[] body, int[] position) {
      List<byte[]> lines = new ArrayList<>();
      while (true) {
        int start = position[0];
        if (start + 4 > body.length) {
          return null;
        }
        int length;
        try {
          length = Integer.parseInt(text(body, start, start + 4), 16);
        } catch (NumberFormatException e) {
          return null;
        }
        if (length == 0) {
          position[0] = start + 4;
          return lines;
        }
        if (length < 5 || start + length > body.length) {
          return null;
        }
        lines.add(Arrays.copyOfRange(body, start + 4, start + length));
        position[0] = start + length;
      }
    }

    PushBody withCommands(List<byte[]> lines) {
      return new PushBody(lines, options, pack);
    }

    /** Encodes the body again. Lines keep the bytes they had, trailing LF included. */
    byte[] encode() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeSection(out, commandSection);
      if (options != null) {
        writeSection(out, options);
      }
      out.writeBytes(pack);
      return out.toByteArray();
    }

    int headLength() {
      return encode().length - pack.length;
    }

    /** Returns the offset of every pkt-line header in the head, flushes included. */
    List<Integer> packetStarts() {
      List<Integer> starts = new ArrayList<>();
      int offset = 0;
      List<List<byte[]>> sections = new ArrayList<>();
      sections.add(commandSection);
      if (options != null) {
        sections.add(options);
      }
      for (List<byte[]> section : sections) {
        for (byte[] line : section) {
          starts.add(offset);
          offset += line.length + 4;
        }
        starts.add(offset);
        offset += 4;
      }
      return starts;
    }

    private static void writeSection(ByteArrayOutputStream out, List<byte[]> lines) {
      for (byte[] line : lines) {
        if (line.length == 0) {
          continue;
        }
        out.writeBytes(bytes(String.format("%04x", line.length + 4)));
        out.writeBytes(line);
      }
      out.writeBytes(FLUSH);
    }
  }

  static String describe(byte[] value) {
    StringBuilder text = new StringBuilder("\"");
    for (byte b : value) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        text.append((char) c);
      } else {
        text.append(String.format("\\x%02x", c));
      }
    }
    return text.append('"').toString();
  }

  private static byte[] replaceRange(byte[] array, int start, int end, byte[] replacement) {
    return concat(
        Arrays.copyOfRange(array, 0, start),
        replacement,
        Arrays.copyOfRange(array, end, array.length));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] array, byte value) {
    for (int i = 0; i < array.length; i++) {
      if (array[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static String text(byte[] array, int start, int end) {
    return new String(array, start, end - start, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
