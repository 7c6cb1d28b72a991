package dev.gitward.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;

/**
 * A key of the ring as verification uses it: its id, the one algorithm it accepts, and a verifier
 * built from its public part only.
 *
 * @param keyId the {@code kid} that selects this key
 * @param algorithm the only {@code alg} that this key verifies
 * @param publicKey the public JWK, as published in the JWK set
 * @param verifier the nimbus verifier for {@code algorithm}
 */
public record VerificationKey(
    String keyId, JWSAlgorithm algorithm, JWK publicKey, JWSVerifier verifier) {
  @Override
  public String toString() {
    return "VerificationKey[keyId=" + keyId + ", algorithm=" + algorithm + "]";
  }
}
