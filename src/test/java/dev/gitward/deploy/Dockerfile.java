package dev.gitward.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Dockerfile split into build stages and instructions, enough to check what the file states
 * without a Docker engine. Comments are dropped and backslash line continuations joined. Parser
 * directives and heredocs are not supported.
 */
record Dockerfile(List<Dockerfile.Stage> stages) {
  /** One instruction: the upper-case keyword and the rest of the joined line. */
  record Instruction(String keyword, String arguments) {}

  /** One {@code FROM} and the instructions up to the next. */
  record Stage(String baseImage, Optional<String> name, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Optional<Instruction> last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }
  }

  static Dockerfile read(Path file) throws IOException {
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      current.append(stripped);
      logical.add(current.toString().strip());
      current.setLength(0);
    }
    if (current.length() > 0) {
      logical.add(current.toString().strip());
    }

    List<Stage> stages = new ArrayList<>();
    List<Instruction> instructions = null;
    for (String line : logical) {
      int space = line.indexOf(' ');
      String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
      String arguments = space < 0 ? "" : line.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        String[] words = arguments.split("\\s+");
        Optional<String> name =
            words.length == 3 && words[1].equalsIgnoreCase("AS")
                ? Optional.of(words[2])
                : Optional.empty();
        instructions = new ArrayList<>();
        stages.add(new Stage(words[0], name, instructions));
      } else if (instructions != null) {
        instructions.add(new Instruction(keyword, arguments));
      } else {
        throw new IllegalArgumentException(
            file + ": " + keyword + " before the first FROM (expected: FROM first)");
      }
    }
    return new Dockerfile(List.copyOf(stages));
  }

  Stage finalStage() {
    return stages.get(stages.size() - 1);
  }
}
