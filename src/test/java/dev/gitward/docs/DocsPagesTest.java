package dev.gitward.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.policy.DenyReason;
import dev.gitward.token.TokenRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks that every rejection code has its page and that links between pages resolve. */
class DocsPagesTest {
  private static final Path DOCS = Path.of("docs");
  private static final Path DENIALS = DOCS.resolve("denials");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

  /** Pages that other parts of the project add. Links to them may exist before the pages do. */
  private static final Set<String> PAGES_ADDED_SEPARATELY =
      Set.of(
          "audit.md",
          "key-rotation.md",
          "revocation.md",
          "upstreams.md",
          "security.md",
          "benchmarks.md");

  @Test
  void everyDenyReason_hasItsPage() throws IOException {
    String index = Files.readString(DENIALS.resolve("README.md"));
    for (DenyReason reason : DenyReason.values()) {
      Path page = DENIALS.resolve(reason.code() + ".md");
      assertTrue(Files.exists(page), "missing " + page);
      String text = Files.readString(page);
      assertTrue(
          text.startsWith("# " + reason.code() + "\n"), page + " does not start with its code");
      assertTrue(
          index.contains("(" + reason.code() + ".md)"), "denials/README.md does not link " + page);
    }
  }

  @Test
  void everyTokenRejection_isExplained() throws IOException {
    String text = Files.readString(DENIALS.resolve("token-rejected.md"));
    for (TokenRejectedException.Reason reason : TokenRejectedException.Reason.values()) {
      String code = reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
      assertTrue(text.contains("| `" + code + "` |"), "token-rejected.md does not explain " + code);
    }
  }

  @Test
  void relativeLinks_resolve() throws IOException {
    List<String> broken = new ArrayList<>();
    try (Stream<Path> files = Files.walk(DOCS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
        Matcher link = LINK.matcher(Files.readString(file));
        while (link.find()) {
          String target = link.group(1);
          if (target.contains("://") || target.startsWith("mailto:")) {
            continue;
          }
          Path resolved = file.getParent().resolve(target).normalize();
          boolean planned =
              resolved.getParent() != null
                  && resolved.getParent().equals(DOCS)
                  && PAGES_ADDED_SEPARATELY.contains(resolved.getFileName().toString());
          if (!Files.exists(resolved) && !planned) {
            broken.add(file + " -> " + target);
          }
        }
      }
    }
    assertTrue(broken.isEmpty(), "broken links: " + broken);
  }
}
