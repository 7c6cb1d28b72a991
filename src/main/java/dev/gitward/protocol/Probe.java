package dev.gitward.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A POST body of exactly {@code 0000}. Git sends it before a large request to check that
 * authentication succeeds before it streams the real body.
 */
public record Probe() implements ReceivePackBody, UploadPackBody {
  /** Returns the four bytes of the probe body, to forward upstream unchanged. */
  public byte[] body() {
    return "0000".getBytes(StandardCharsets.US_ASCII);
  }
}
