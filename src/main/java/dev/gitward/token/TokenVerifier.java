package dev.gitward.token;

/** Verifies the text of a task token and returns its claims. */
public interface TokenVerifier {
  /**
   * Verifies {@code token} completely: size, structure, headers, signature, claims and revocation.
   *
   * @throws TokenRejectedException when any check fails; no partial result is ever returned
   */
  TaskToken verify(String token) throws TokenRejectedException;
}
