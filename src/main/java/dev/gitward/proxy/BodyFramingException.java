package dev.gitward.proxy;

import java.io.IOException;

/**
 * Raised by a read of the client's request body whose transfer framing is invalid, such as a
 * chunked body with an oversized trailer section. The proxy responds to it with 400 and closes the
 * connection, wherever the read happens, also while the body streams upstream.
 */
public final class BodyFramingException extends IOException {
  public BodyFramingException(String message) {
    super(message);
  }
}
