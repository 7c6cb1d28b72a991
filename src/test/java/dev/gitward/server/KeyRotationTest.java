package dev.gitward.server;

import static dev.gitward.testing.GitwardFixture.ALLOWED;
import static dev.gitward.testing.GitwardFixture.fetch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.token.SigningKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rotation procedure of docs/key-rotation.md, each step a restart with a new key list. */
class KeyRotationTest {
  private static GitResult lsRemote(GitwardFixture fixture, String token) {
    GitClient git = GitClient.in(fixture.newFolder("work")).withCredential("agent", token);
    return git.run("ls-remote", fixture.remote("owner/allowed.git"));
  }

  private static String keyId(String token) throws Exception {
    return JWSObject.parse(token).getHeader().getKeyID();
  }

  @Test
  void rotation_oldTokensWorkUntilOldKeyRemoved(@TempDir Path directory) throws Exception {
    Path oldKey = directory.resolve("old.jwk");
    Path newKey = directory.resolve("new.jwk");
    String oldKeyId =
        SigningKeys.generateFile(oldKey, JWSAlgorithm.EdDSA, Clock.systemUTC()).getKeyID();
    String newKeyId =
        SigningKeys.generateFile(newKey, JWSAlgorithm.ES256, Clock.systemUTC()).getKeyID();

    String oldToken;
    try (GitwardFixture before = GitwardFixture.builder().keyFiles(List.of(oldKey)).start()) {
      oldToken = before.mint("task-old", List.of(fetch(ALLOWED)));
    }
    assertEquals(oldKeyId, keyId(oldToken));

    try (GitwardFixture added =
        GitwardFixture.builder().keyFiles(List.of(oldKey, newKey)).start()) {
      lsRemote(added, oldToken).assertSuccess();
      assertEquals(oldKeyId, keyId(added.mint("task-added", List.of(fetch(ALLOWED)))));
    }

    String newToken;
    try (GitwardFixture moved =
        GitwardFixture.builder().keyFiles(List.of(newKey, oldKey)).start()) {
      lsRemote(moved, oldToken).assertSuccess();
      newToken = moved.mint("task-new", List.of(fetch(ALLOWED)));
      assertEquals(newKeyId, keyId(newToken));
      lsRemote(moved, newToken).assertSuccess();
    }

    try (GitwardFixture removed = GitwardFixture.builder().keyFiles(List.of(newKey)).start()) {
      GitResult denied = lsRemote(removed, oldToken).assertFailure();
      assertTrue(denied.stderr().contains(oldKeyId), denied.stderr());
      assertTrue(denied.stderr().contains("Authentication failed"), denied.stderr());
      assertEquals(List.of(), removed.upstream().requests());
      lsRemote(removed, newToken).assertSuccess();
    }
  }
}
