package dev.gitward.proxy;

import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * Passes reads to the client's request body but ignores {@code close()}. The upstream client closes
 * the body it sent, and closing Undertow's request stream reads the unread rest of the body to keep
 * the connection, which for a body past its limit could be gigabytes.
 */
final class CloseShieldInputStream extends FilterInputStream {
  CloseShieldInputStream(InputStream in) {
    super(in);
  }

  @Override
  public void close() {
    // The exchange ends the request stream itself.
  }
}
