package dev.gitward.upstream;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A GitHub App's RSA private key, which signs the app JWT that authenticates Gitward's REST API
 * calls as the app.
 *
 * <p>It reads the PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}) that GitHub issues and PKCS#8 ({@code
 * BEGIN PRIVATE KEY}) without BouncyCastle: a PKCS#1 key is wrapped in a PKCS#8 structure for the
 * JDK's {@link KeyFactory}.
 */
final class GitHubAppKey {
  /** Maximum size of a key file; a 4096-bit RSA key in PEM is about 3.3 KiB. */
  static final int MAX_PEM_BYTES = 64 * 1024;

  /** The smallest RSA modulus accepted, in bits. */
  static final int MIN_MODULUS_BITS = 2048;

  /** How far the JWT's {@code iat} lies in the past, to allow for clock drift against GitHub. */
  static final Duration BACKDATE = Duration.ofSeconds(60);

  /** The JWT's lifetime after now; GitHub rejects app JWTs that live longer than 10 minutes. */
  static final Duration LIFETIME = Duration.ofMinutes(9);

  private static final String PKCS1 = "RSA PRIVATE KEY";
  private static final String PKCS8 = "PRIVATE KEY";

  /** The DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  private final long appId;
  private final RSASSASigner signer;

  private GitHubAppKey(long appId, RSAPrivateCrtKey key) {
    this.appId = appId;
    this.signer = new RSASSASigner(key);
  }

  /**
   * Parses a PEM private key of app {@code appId}.
   *
   * @throws IllegalArgumentException naming what is wrong with the key, never quoting it
   */
  static GitHubAppKey parse(long appId, String pem) {
    byte[] pkcs8 = pem.contains("-----BEGIN " + PKCS1 + "-----") ? wrapPkcs1(pem) : pkcs8(pem);
    try {
      if (KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8))
          instanceof RSAPrivateCrtKey key) {
        int bits = key.getModulus().bitLength();
        if (bits < MIN_MODULUS_BITS) {
          throw new IllegalArgumentException(
              "RSA key of " + bits + " bits (expected: at least " + MIN_MODULUS_BITS + " bits)");
        }
        return new GitHubAppKey(appId, key);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "not a valid RSA private key (" + e.getClass().getSimpleName() + ")");
    }
    throw new IllegalArgumentException("not an RSA private key with CRT parameters");
  }

  /** Signs an app JWT: RS256, {@code iss} = the app id, {@code iat} backdated, 9 minutes left. */
  String signJwt(Instant now) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(Long.toString(appId))
            .issueTime(Date.from(now.minus(BACKDATE)))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("RS256 signing of the app JWT failed", e);
    }
    return jwt.serialize();
  }

  long appId() {
    return appId;
  }

  @Override
  public String toString() {
    return "GitHubAppKey[app " + appId + ", ****]";
  }

  private static byte[] pkcs8(String pem) {
    if (pem.contains("ENCRYPTED")) {
      throw new IllegalArgumentException(
          "encrypted private key (expected: an unencrypted PEM key, as GitHub issues it)");
    }
    return pemBody(pem, PKCS8);
  }

  private static byte[] wrapPkcs1(String pem) {
    if (pem.contains("Proc-Type:")) {
      throw new IllegalArgumentException(
          "encrypted private key (expected: an unencrypted PEM key, as GitHub issues it)");
    }
    byte[] pkcs1 = pemBody(pem, PKCS1);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.writeBytes(new byte[] {0x02, 0x01, 0x00});
    info.writeBytes(RSA_ALGORITHM);
    info.writeBytes(derHeader(0x04, pkcs1.length));
    info.writeBytes(pkcs1);
    ByteArrayOutputStream sequence = new ByteArrayOutputStream();
    sequence.writeBytes(derHeader(0x30, info.size()));
    sequence.writeBytes(info.toByteArray());
    return sequence.toByteArray();
  }

  private static byte[] pemBody(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int start = pem.indexOf(begin);
    int stop = pem.indexOf(end);
    if (start < 0 || stop < start) {
      throw new IllegalArgumentException(
          "no PEM private key (expected: a block between -----BEGIN RSA PRIVATE KEY----- or"
              + " -----BEGIN PRIVATE KEY----- and its END line)");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), stop).strip());
    } catch (IllegalArgumentException e) {
      // The decoder's message quotes the offending character, which is part of the key.
      throw new IllegalArgumentException(
          "PEM body is not valid Base64 (expected: the key file exactly as GitHub issued it)");
    }
  }

  /** Returns a DER tag and length in definite form, short or long. */
  private static byte[] derHeader(int tag, int length) {
    if (length < 0x80) {
      return new byte[] {(byte) tag, (byte) length};
    }
    int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
    byte[] header = new byte[2 + bytes];
    header[0] = (byte) tag;
    header[1] = (byte) (0x80 | bytes);
    for (int i = 0; i < bytes; i++) {
      header[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
    }
    return header;
  }
}
