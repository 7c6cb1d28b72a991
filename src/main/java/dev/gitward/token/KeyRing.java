package dev.gitward.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The task token keys: the first key signs and every key verifies. Each key accepts exactly one
 * algorithm: {@code EdDSA} for an Ed25519 OKP key, {@code ES256} for a P-256 EC key.
 *
 * <p>{@link #toString} and every error name keys by {@code kid} and never show key material.
 */
public final class KeyRing {
  private final Map<String, VerificationKey> keys;
  private final String signingKeyId;
  private final JWSAlgorithm signingAlgorithm;
  private final JWSSigner signer;

  private KeyRing(Map<String, VerificationKey> keys, JWK signingKey) {
    this.keys = keys;
    this.signingKeyId = signingKey.getKeyID();
    this.signingAlgorithm = JWSAlgorithm.parse(signingKey.getAlgorithm().getName());
    this.signer = signerFor(signingKey);
  }

  /**
   * Loads the ring from JWK files, in order.
   *
   * @throws IllegalArgumentException naming the setting {@code tokens.keys[i].file} (counted from
   *     0), the file and the problem, when a file is unreadable or not a supported key
   */
  public static KeyRing load(List<Path> files) {
    List<JWK> keys = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String label = "tokens.keys[" + i + "].file: " + files.get(i);
      labels.add(label);
      keys.add(KeyFile.read(files.get(i), label));
    }
    return build(keys, labels);
  }

  /**
   * Builds a ring from keys in memory; the first must be a private key.
   *
   * @throws IllegalArgumentException naming the key by position ({@code keys[i]}, counted from 0)
   */
  public static KeyRing of(List<JWK> keys) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      labels.add("keys[" + i + "]");
    }
    return build(List.copyOf(keys), labels);
  }

  private static KeyRing build(List<JWK> keys, List<String> labels) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "tokens.keys: [] (expected: at least one key, the first of them private)");
    }
    Map<String, VerificationKey> byId = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      VerificationKey key = checkKey(keys.get(i), labels.get(i));
      if (byId.putIfAbsent(key.keyId(), key) != null) {
        throw new IllegalArgumentException(
            labels.get(i) + ": kid " + key.keyId() + " used twice (expected: unique key ids)");
      }
    }
    JWK signingKey = keys.get(0);
    if (!signingKey.isPrivate()) {
      throw new IllegalArgumentException(
          labels.get(0) + ": a public key (expected: the first key is private because it signs)");
    }
    KeyRing ring = new KeyRing(Collections.unmodifiableMap(byId), signingKey);
    ring.checkSigningKeyPair(labels.get(0));
    return ring;
  }

  private static VerificationKey checkKey(JWK key, String label) {
    String keyId = key.getKeyID();
    if (keyId == null || keyId.isEmpty()) {
      throw KeyFile.invalid(label, "kid missing", "a JWK with \"kid\" and \"alg\"");
    }
    if (keyId.length() > 128 || !ClientText.isVisibleAscii(keyId)) {
      throw KeyFile.invalid(
          label, "kid is not 1 to 128 printable ASCII characters", "such as 2026-12-04-k1");
    }
    if (key.getAlgorithm() == null) {
      throw KeyFile.invalid(label, "alg missing", "a JWK with \"kid\" and \"alg\"");
    }
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      throw KeyFile.invalid(
          label, "use is " + key.getKeyUse().identifier(), "\"use\": \"sig\" or none");
    }
    JWK publicKey = key.toPublicJWK();
    return new VerificationKey(keyId, algorithmOf(key, label), publicKey, verifierFor(publicKey));
  }

  private static JWSAlgorithm algorithmOf(JWK key, String label) {
    String alg = key.getAlgorithm().getName();
    if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
      if (!JWSAlgorithm.EdDSA.getName().equals(alg)) {
        throw KeyFile.invalid(label, "alg " + alg + " on an Ed25519 key", "EdDSA");
      }
      return JWSAlgorithm.EdDSA;
    }
    if (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
      if (!JWSAlgorithm.ES256.getName().equals(alg)) {
        throw KeyFile.invalid(label, "alg " + alg + " on a P-256 key", "ES256");
      }
      return JWSAlgorithm.ES256;
    }
    throw KeyFile.invalid(
        label, "unsupported key type " + key.getKeyType(), KeyFile.SUPPORTED_KEYS_DESCRIPTION);
  }

  private static JWSVerifier verifierFor(JWK publicKey) {
    try {
      if (publicKey instanceof OctetKeyPair okp) {
        return new Ed25519Verifier(okp);
      }
      return new ECDSAVerifier((ECKey) publicKey);
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "kid "
              + publicKey.getKeyID()
              + ": no verifier for the key ("
              + e.getClass().getName()
              + ")");
    }
  }

  private static JWSSigner signerFor(JWK privateKey) {
    try {
      if (privateKey instanceof OctetKeyPair okp) {
        return new Ed25519Signer(okp);
      }
      return new ECDSASigner((ECKey) privateKey);
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "kid "
              + privateKey.getKeyID()
              + ": no signer for the key ("
              + e.getClass().getName()
              + ")");
    }
  }

  /**
   * Signs a fixed probe and verifies it, so a private key that mismatches its public part fails at
   * load.
   */
  private void checkSigningKeyPair(String label) {
    byte[] probe = "gitward key ring probe".getBytes(StandardCharsets.US_ASCII);
    JWSHeader header = new JWSHeader(signingAlgorithm);
    try {
      Base64URL signature = signer.sign(header, probe);
      if (!keys.get(signingKeyId).verifier().verify(header, probe, signature)) {
        throw KeyFile.invalid(
            label, "private key does not match its public key", "a consistent key pair");
      }
    } catch (JOSEException e) {
      throw KeyFile.invalid(
          label, "signing failed (" + e.getClass().getSimpleName() + ")", "a usable key");
    }
  }

  /** Returns the key with exactly this {@code kid}, or empty when the ring has none. */
  public Optional<VerificationKey> verifierFor(String keyId) {
    return Optional.ofNullable(keys.get(keyId));
  }

  /** Returns the public parts of all keys, in ring order, for {@code /.well-known/jwks.json}. */
  public JWKSet publicJwks() {
    return new JWKSet(keys.values().stream().map(VerificationKey::publicKey).toList());
  }

  /** Returns the {@code kid} of the signing key, the first of the ring. */
  public String signingKeyId() {
    return signingKeyId;
  }

  /** Returns the key ids in ring order. */
  public List<String> keyIds() {
    return List.copyOf(keys.keySet());
  }

  JWSAlgorithm signingAlgorithm() {
    return signingAlgorithm;
  }

  JWSSigner signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "KeyRing[signingKeyId=" + signingKeyId + ", keyIds=" + keys.keySet() + "]";
  }
}
