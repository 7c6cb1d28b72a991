package dev.gitward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void capture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static Path writeConfig(Path folder, Path key) throws Exception {
    Path config = folder.resolve("gitward.yaml");
    Files.writeString(
        config,
        "proxy:\n  public-url: http://gitward.internal:8080\n"
            + "tokens:\n  keys:\n    - file: "
            + key
            + "\n"
            + "upstreams:\n  github.com:\n    url: https://github.com\n"
            + "    credentials:\n      type: none\n");
    return config;
  }

  @Test
  void keygen_writesPrivateKeyOnce(@TempDir Path folder) throws Exception {
    Path key = folder.resolve("signing.jwk");
    assertEquals(0, Gitward.run("keygen", "--out", key.toString(), "--alg", "ES256"), stderr());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertTrue(Files.readString(key).contains("\"d\""), "a private JWK");
    assertTrue(stdout().contains("wrote ES256 key"));
    assertFalse(stdout().contains(Files.readString(key)), "the key is not printed");
    assertEquals(1, Gitward.run("keygen", "--out", key.toString()));
  }

  @Test
  void mint_printsGitConfigLines(@TempDir Path folder) throws Exception {
    Path key = folder.resolve("signing.jwk");
    Gitward.run("keygen", "--out", key.toString());
    Path config = writeConfig(folder, key);
    assertEquals(
        0,
        Gitward.run(
            "mint",
            "--config",
            config.toString(),
            "--task",
            "t1",
            "--fetch",
            "github.com/acme/widgets",
            "--push",
            "github.com/acme/widgets=refs/heads/agent/t1/**",
            "--format",
            "git-config"),
        stderr());
    String[] lines = stdout().strip().split("\n");
    assertTrue(
        lines[lines.length - 2].contains(
            "git config --global"
                + " url.\"http://gitward.internal:8080/github.com/\".insteadOf \"https://github.com/\""),
        stdout());
    assertTrue(
        lines[lines.length - 1].startsWith(
            "git config --global"
                + " http.\"http://gitward.internal:8080/\".extraHeader \"Authorization: Bearer ey"),
        stdout());
  }

  @Test
  void mint_rejectsUnknownUpstreamAndBadPattern(@TempDir Path folder) throws Exception {
    Path key = folder.resolve("signing.jwk");
    Gitward.run("keygen", "--out", key.toString());
    Path config = writeConfig(folder, key);
    assertEquals(
        2,
        Gitward.run(
            "mint",
            "--config",
            config.toString(),
            "--task",
            "t1",
            "--fetch",
            "gitlab.com/acme/widgets"));
    assertTrue(
        stderr()
            .contains(
                "--fetch gitlab.com/acme/widgets: unknown upstream gitlab.com"
                    + " (expected one of: github.com)"),
        stderr());
    assertEquals(
        2,
        Gitward.run(
            "mint",
            "--config",
            config.toString(),
            "--task",
            "t1",
            "--push",
            "github.com/acme/widgets=heads/main"));
    assertTrue(stderr().contains("refs: heads/main (expected: a full ref name"), stderr());
    assertEquals(
        2,
        Gitward.run(
            "mint",
            "--config",
            config.toString(),
            "--task",
            "t1",
            "--fetch",
            "github.com/acme/widgets",
            "--ttl",
            "5h"));
    assertTrue(stderr().contains("ttl"), stderr());
  }

  @Test
  void checkConfig_printsSettingsAndRejectsErrors(@TempDir Path folder) throws Exception {
    Path key = folder.resolve("signing.jwk");
    Gitward.run("keygen", "--out", key.toString());
    Path config = writeConfig(folder, key);
    assertEquals(0, Gitward.run("check-config", "--config", config.toString()), stderr());
    assertTrue(stdout().contains("upstreams.github.com.url: https://github.com"), stdout());
    assertTrue(stdout().contains("configuration is valid"), stdout());

    Files.writeString(config, Files.readString(config).replace("type: none", "type: nope"));
    assertEquals(2, Gitward.run("check-config", "--config", config.toString()));
    assertTrue(
        stderr()
            .contains(
                "upstreams.github.com.credentials.type: nope (expected:"
                    + " static, github-app or none)"),
        stderr());
  }
}
