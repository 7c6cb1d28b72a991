package dev.gitward.cli;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.gitward.token.SigningKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gitward keygen}: writes a new private signing key as a JWK file. */
@Command(
    mixinStandardHelpOptions = true,
    name = "keygen",
    description = "Write a new signing key (JWK, mode 0600).")
final class KeygenCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "the JWK file to create; an existing file is never overwritten")
  Path out;

  @Option(
      names = "--alg",
      paramLabel = "ALG",
      defaultValue = "EdDSA",
      description = "EdDSA (Ed25519) or ES256; default: ${DEFAULT-VALUE}")
  String algorithm;

  @Override
  public Integer call() {
    JWSAlgorithm alg;
    if (algorithm.equalsIgnoreCase("EdDSA")) {
      alg = JWSAlgorithm.EdDSA;
    } else if (algorithm.equalsIgnoreCase("ES256")) {
      alg = JWSAlgorithm.ES256;
    } else {
      System.err.println("gitward: --alg " + algorithm + " (expected: EdDSA or ES256)");
      return 2;
    }
    try {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
      JWK key = SigningKeys.generateFile(out, alg, Clock.systemUTC());
      System.out.println("wrote " + alg + " key " + key.getKeyID() + " to " + out);
      return 0;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      System.err.println(
          "gitward: --out "
              + out
              + ": the file exists (expected: a new file;"
              + " keys are never overwritten)");
      return 1;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println(
          "gitward: --out "
              + out
              + ": cannot be written ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")");
      return 1;
    }
  }
}
