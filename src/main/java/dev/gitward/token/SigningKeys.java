package dev.gitward.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;

/** Generates new signing keys for the key ring and writes them as private JWK files. */
public final class SigningKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SigningKeys() {}

  /**
   * Generates a private key for {@code algorithm} ({@code EdDSA} on Ed25519, or {@code ES256} on
   * P-256) with {@code use: sig} and a key id of the current UTC date and 48 random bits, such as
   * {@code 2026-12-04-Jk3xQ9aZ}.
   *
   * @throws IllegalArgumentException for any other algorithm
   */
  public static JWK generate(JWSAlgorithm algorithm, Clock clock) {
    String keyId = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + "-" + randomSuffix();
    try {
      if (JWSAlgorithm.EdDSA.equals(algorithm)) {
        return new OctetKeyPairGenerator(Curve.Ed25519)
            .keyID(keyId)
            .algorithm(JWSAlgorithm.EdDSA)
            .keyUse(KeyUse.SIGNATURE)
            .generate();
      }
      if (JWSAlgorithm.ES256.equals(algorithm)) {
        return new ECKeyGenerator(Curve.P_256)
            .keyID(keyId)
            .algorithm(JWSAlgorithm.ES256)
            .keyUse(KeyUse.SIGNATURE)
            .generate();
      }
    } catch (JOSEException e) {
      throw new IllegalStateException("key generation failed for alg " + algorithm, e);
    }
    throw new IllegalArgumentException("alg: " + algorithm + " (expected: EdDSA or ES256)");
  }

  /**
   * Generates a key as {@link #generate} does and writes it, private part included, to a new {@code
   * file} with permissions {@code rw-------}.
   *
   * @return the public part of the generated key, safe to print
   * @throws java.nio.file.FileAlreadyExistsException when {@code file} exists; it is never
   *     overwritten
   * @throws UnsupportedOperationException when the file system has no POSIX permissions
   */
  public static JWK generateFile(Path file, JWSAlgorithm algorithm, Clock clock)
      throws IOException {
    JWK key = generate(algorithm, clock);
    byte[] json = (key.toJSONString() + "\n").getBytes(StandardCharsets.UTF_8);
    // Creating the file with its final permissions leaves no moment in which others can read it.
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
      out.write(json);
    }
    return key.toPublicJWK();
  }

  private static String randomSuffix() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
