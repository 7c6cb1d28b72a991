package dev.gitward.token;

import static dev.gitward.token.TokenFixtures.EC_KEY;
import static dev.gitward.token.TokenFixtures.ED_KEY;
import static dev.gitward.token.TokenFixtures.FIXED_CLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {
  @TempDir Path directory;

  private Path write(String name, String json) throws Exception {
    Path file = directory.resolve(name);
    Files.writeString(file, json);
    return file;
  }

  private IllegalArgumentException assertLoadFails(List<Path> files) {
    return assertThrows(IllegalArgumentException.class, () -> KeyRing.load(files));
  }

  private static Map<String, Object> jsonWithout(JWK key, String member) {
    Map<String, Object> json = key.toJSONObject();
    json.remove(member);
    return json;
  }

  @Test
  void load_generatedFilesVerifyAndSign() throws Exception {
    Path signing = directory.resolve("signing.jwk");
    Path old = directory.resolve("old.jwk");
    JWK signingKey = SigningKeys.generateFile(signing, JWSAlgorithm.ES256, FIXED_CLOCK);
    JWK oldKey = SigningKeys.generateFile(old, JWSAlgorithm.EdDSA, FIXED_CLOCK);

    KeyRing ring = KeyRing.load(List.of(signing, old));
    assertEquals(signingKey.getKeyID(), ring.signingKeyId());
    assertEquals(List.of(signingKey.getKeyID(), oldKey.getKeyID()), ring.keyIds());
    assertEquals(JWSAlgorithm.ES256, ring.verifierFor(signingKey.getKeyID()).get().algorithm());
    assertEquals(JWSAlgorithm.EdDSA, ring.verifierFor(oldKey.getKeyID()).get().algorithm());
    assertTrue(ring.verifierFor("other").isEmpty());
  }

  @Test
  void load_kidMissingNamesFile() throws Exception {
    Path file = write("x.jwk", TokenFixtures.json(jsonWithout(ED_KEY, "kid")));
    assertEquals(
        "tokens.keys[0].file: " + file + ": kid missing (expected: a JWK with \"kid\" and \"alg\")",
        assertLoadFails(List.of(file)).getMessage());
  }

  @Test
  void load_algMissingNamesSecondFile() throws Exception {
    Path first = write("a.jwk", ED_KEY.toJSONString());
    Path second = write("b.jwk", TokenFixtures.json(jsonWithout(EC_KEY, "alg")));
    assertEquals(
        "tokens.keys[1].file: "
            + second
            + ": alg missing (expected: a JWK with \"kid\" and"
            + " \"alg\")",
        assertLoadFails(List.of(first, second)).getMessage());
  }

  @Test
  void load_publicSigningKeyRejected() throws Exception {
    Path file = write("pub.jwk", ED_KEY.toPublicJWK().toJSONString());
    assertEquals(
        "tokens.keys[0].file: "
            + file
            + ": a public key (expected: the first key is private"
            + " because it signs)",
        assertLoadFails(List.of(file)).getMessage());
  }

  @Test
  void load_wrongAlgForKeyRejected() throws Exception {
    Map<String, Object> json = ED_KEY.toJSONObject();
    json.put("alg", "ES256");
    Path file = write("ed.jwk", TokenFixtures.json(json));
    assertEquals(
        "tokens.keys[0].file: " + file + ": alg ES256 on an Ed25519 key (expected: EdDSA)",
        assertLoadFails(List.of(file)).getMessage());
  }

  @Test
  void load_rsaKeyRejected() throws Exception {
    JWK rsa = new RSAKeyGenerator(2048).keyID("rsa-1").algorithm(JWSAlgorithm.RS256).generate();
    Path file = write("rsa.jwk", rsa.toJSONString());
    assertEquals(
        "tokens.keys[0].file: "
            + file
            + ": unsupported key type RSA (expected: an OKP Ed25519"
            + " key with alg EdDSA or an EC P-256 key with alg ES256)",
        assertLoadFails(List.of(file)).getMessage());
  }

  @Test
  void load_invalidFilesNeverEchoKeyMaterial() throws Exception {
    String privateD = ((OctetKeyPair) ED_KEY).getD().toString();
    Path broken = write("broken.jwk", ED_KEY.toJSONString().replace("\"x\":", "\"x\":1,\"y\":"));
    Path duplicate =
        write("dup.jwk", ED_KEY.toJSONString().replace("{", "{\"d\":\"" + privateD + "\","));
    Path set = write("set.jwk", "{\"keys\":[" + ED_KEY.toJSONString() + "]}");
    Path missing = directory.resolve("missing.jwk");

    for (Path file : List.of(broken, duplicate, set, missing)) {
      String message = assertLoadFails(List.of(file)).getMessage();
      assertTrue(message.startsWith("tokens.keys[0].file: " + file + ": "), message);
      assertFalse(message.contains(privateD), message);
    }
    assertEquals(
        "tokens.keys[0].file: "
            + duplicate
            + ": duplicate member \"d\" (expected: one JWK as a"
            + " JSON object)",
        assertLoadFails(List.of(duplicate)).getMessage());
    assertEquals(
        "tokens.keys[0].file: "
            + missing
            + ": cannot be read (NoSuchFileException) (expected: a"
            + " readable file)",
        assertLoadFails(List.of(missing)).getMessage());
  }

  @Test
  void of_duplicateKidRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> KeyRing.of(List.of(ED_KEY, ED_KEY)));
    assertEquals(
        "keys[1]: kid " + ED_KEY.getKeyID() + " used twice (expected: unique key ids)",
        error.getMessage());
  }

  @Test
  void of_emptyRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> KeyRing.of(List.of()));
    assertEquals(
        "tokens.keys: [] (expected: at least one key, the first of them private)",
        error.getMessage());
  }

  @Test
  void publicJwks_containsNoPrivateParts() {
    KeyRing ring = TokenFixtures.ring();
    List<JWK> keys = ring.publicJwks().getKeys();
    assertEquals(2, keys.size());
    for (JWK key : keys) {
      assertFalse(key.isPrivate(), key.getKeyID());
      assertFalse(key.toJSONObject().containsKey("d"), key.getKeyID());
    }
    String privateD = ((OctetKeyPair) ED_KEY).getD().toString();
    assertFalse(ring.publicJwks().toString().contains(privateD));
    assertFalse(ring.toString().contains(privateD));
  }

  @Test
  void generateFile_writesOwnerOnlyAndNeverOverwrites() throws Exception {
    Path file = directory.resolve("signing.jwk");
    JWK key = SigningKeys.generateFile(file, JWSAlgorithm.EdDSA, FIXED_CLOCK);

    assertFalse(key.isPrivate());
    assertTrue(key.getKeyID().startsWith("2026-12-04-"), key.getKeyID());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(JWK.parse(Files.readString(file)).isPrivate());
    String before = Files.readString(file);
    assertThrows(
        java.nio.file.FileAlreadyExistsException.class,
        () -> SigningKeys.generateFile(file, JWSAlgorithm.ES256, FIXED_CLOCK));
    assertEquals(before, Files.readString(file));
  }

  @Test
  void generate_rejectsOtherAlgorithms() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> SigningKeys.generate(JWSAlgorithm.HS256, FIXED_CLOCK));
    assertEquals("alg: HS256 (expected: EdDSA or ES256)", error.getMessage());
  }
}
