package dev.gitward.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A request body decoded for inspection. A gzip body is inflated, because JGit compresses both
 * upload-pack and receive-pack bodies and git compresses upload-pack ones. The compressed and the
 * inflated bytes are held to the same limit, so a compression bomb stops at the limit.
 *
 * @param stream the decoded bytes, failing with {@link LimitedInputStream.LimitExceededException}
 *     past the limit
 * @param length the decoded length when known from {@code Content-Length}, otherwise -1
 */
record RequestBody(LimitedInputStream stream, long length) {
  /**
   * Opens the body of {@code exchange}.
   *
   * @param what names the body in messages, such as {@code push body}
   * @param key names the limit's config key in messages, such as {@code limits.push-body}
   * @throws ProxyRejection 413 for a declared length over the limit, 415 for an encoding other than
   *     gzip, 400 for a broken gzip header
   */
  static RequestBody open(HttpServerExchange exchange, long limit, String what, String key)
      throws ProxyRejection {
    long declared = exchange.getRequestContentLength();
    if (declared > limit) {
      throw new ProxyRejection(
          413,
          what
              + " of "
              + declared
              + " bytes is larger than "
              + limit
              + " bytes (expected: at most "
              + key
              + ")");
    }
    // The shield keeps a close by the upstream client from making Undertow drain the whole body.
    InputStream raw = new CloseShieldInputStream(exchange.getInputStream());
    String encoding = exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING);
    Encoding kind = Encoding.of(encoding);
    if (kind == Encoding.IDENTITY) {
      return new RequestBody(new LimitedInputStream(raw, limit, what, key), declared);
    }
    if (kind != Encoding.GZIP) {
      throw new ProxyRejection(
          415,
          "Content-Encoding "
              + ProxyRejection.shorten(encoding)
              + " on the "
              + what
              + " (expected: gzip or none)");
    }
    LimitedInputStream compressed = new LimitedInputStream(raw, limit, "compressed " + what, key);
    try {
      return new RequestBody(
          new LimitedInputStream(
              new GZIPInputStream(compressed, 8192), limit, "inflated " + what, key),
          -1);
    } catch (IOException e) {
      throw ProxyRejection.badRequest(
          "the gzip " + what + " cannot be inflated (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The kinds of {@code Content-Encoding} of a request body. */
  enum Encoding {
    /** No header, or {@code identity}. */
    IDENTITY,
    /** {@code gzip} or {@code x-gzip}, which Gitward inflates. */
    GZIP,
    /** Any other encoding, which Gitward rejects. */
    UNSUPPORTED;

    /** Returns the kind of a {@code Content-Encoding} header value, which is null without one. */
    static Encoding of(@Nullable String header) {
      if (header == null || header.equalsIgnoreCase("identity")) {
        return IDENTITY;
      }
      String name = header.strip().toLowerCase(Locale.ROOT);
      return name.equals("gzip") || name.equals("x-gzip") ? GZIP : UNSUPPORTED;
    }
  }
}
