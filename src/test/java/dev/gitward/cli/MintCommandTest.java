package dev.gitward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code gitward mint} signs offline with the key file, and a running server accepts the token. */
class MintCommandTest {
  @Test
  void mint_tokenAcceptedByRunningServer() throws Exception {
    try (GitwardFixture fixture = GitwardFixture.start()) {
      Path key = fixture.directory().resolve("signing.jwk");
      Path config =
          Files.writeString(
              fixture.directory().resolve("gitward.yaml"),
              "tokens:\n  keys:\n    - file: "
                  + key
                  + "\nupstreams:\n  local:\n    url: "
                  + fixture.upstream().baseUrl()
                  + "\n    credentials:\n      type: none\n");

      String token =
          runMint(
              "--config",
              config.toString(),
              "--task",
              "task-cli",
              "--fetch",
              GitwardFixture.ALLOWED,
              "--ttl",
              "5m");

      GitClient git = GitClient.in(fixture.newFolder("cli")).withCredential("agent", token);
      GitResult refs = git.run("ls-remote", fixture.remote("owner/allowed.git")).assertSuccess();
      assertTrue(refs.stdout().contains("refs/heads/main"), refs.stdout());
    }
  }

  private static String runMint(String... options) {
    PrintStream original = System.out;
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream capture = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      List<String> args = new java.util.ArrayList<>(List.of("mint"));
      args.addAll(List.of(options));
      exitCode = Gitward.run(args.toArray(String[]::new));
    } finally {
      System.setOut(original);
    }
    assertEquals(0, exitCode, "gitward mint exit code");
    return output.toString(StandardCharsets.UTF_8).strip();
  }
}
