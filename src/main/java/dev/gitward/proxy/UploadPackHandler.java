package dev.gitward.proxy;

import dev.gitward.config.Limits;
import dev.gitward.protocol.Probe;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.UploadPackBody;
import dev.gitward.protocol.UploadPackCommand;
import dev.gitward.upstream.Upstream;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Serves {@code POST git-upload-pack} once the fetch is allowed: inflates a gzip body under the
 * inflated-size limit, checks that a protocol v2 request names a forwarded command, and streams the
 * body upstream without its {@code Content-Encoding}.
 */
final class UploadPackHandler {
  private static final String UPLOAD_PACK_KEY = "limits.upload-pack-request";

  private final Limits limits;
  private final ProtocolLimits protocolLimits;

  UploadPackHandler(Limits limits, ProtocolLimits protocolLimits) {
    this.limits = limits;
    this.protocolLimits = protocolLimits;
  }

  void handle(HttpServerExchange exchange, GitExchange state, Upstream upstream, GitRoute route)
      throws ProxyRejection, IOException {
    InputStream body = decodedBody(exchange);
    long length = -1;
    if (!isGzip(exchange)) {
      length = exchange.getRequestContentLength();
    }
    InputStream forwarded = body;
    if ("version=2".equals(state.protocolVersion)) {
      forwarded = checkCommand(body, state);
    }
    Forwarder.forward(
        exchange,
        state,
        new Forwarder.Outgoing(
            upstream,
            route,
            state.repository,
            false,
            forwarded,
            length,
            GitService.UPLOAD_PACK.requestType()),
        null);
  }

  private InputStream decodedBody(HttpServerExchange exchange) throws ProxyRejection, IOException {
    InputStream raw = new CloseShieldInputStream(exchange.getInputStream());
    String encoding = exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING);
    if (encoding == null || encoding.equalsIgnoreCase("identity")) {
      return new LimitedInputStream(
          raw, limits.uploadPackRequest(), "upload-pack request body", UPLOAD_PACK_KEY);
    }
    if (!isGzip(exchange)) {
      throw new ProxyRejection(
          415,
          "Content-Encoding "
              + ProxyRejection.shorten(encoding)
              + " on git-upload-pack (expected: gzip or none)");
    }
    InputStream compressed =
        new LimitedInputStream(
            raw, limits.uploadPackRequest(), "compressed upload-pack body", UPLOAD_PACK_KEY);
    try {
      return new LimitedInputStream(
          new GZIPInputStream(compressed, 8192),
          limits.uploadPackRequest(),
          "inflated upload-pack request body",
          UPLOAD_PACK_KEY);
    } catch (IOException e) {
      throw ProxyRejection.badRequest(
          "gzip body of git-upload-pack cannot be inflated (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean isGzip(HttpServerExchange exchange) {
    String encoding = exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING);
    return encoding != null
        && (encoding.toLowerCase(Locale.ROOT).equals("gzip")
            || encoding.toLowerCase(Locale.ROOT).equals("x-gzip"));
  }

  private InputStream checkCommand(InputStream body, GitExchange state)
      throws ProxyRejection, IOException {
    UploadPackBody parsed;
    try {
      parsed = UploadPackCommand.read(body, protocolLimits);
    } catch (ProtocolException e) {
      throw ProxyRejection.badRequest("invalid protocol v2 request: " + e.getMessage());
    }
    if (parsed instanceof Probe probe) {
      return new ByteArrayInputStream(probe.body());
    }
    UploadPackCommand command = (UploadPackCommand) parsed;
    if (!command.isForwardable()) {
      throw ProxyRejection.forbidden(
          "protocol v2 command "
              + ProxyRejection.shorten(command.command())
              + " is not forwarded (expected: ls-refs or fetch)");
    }
    state.reason = "command=" + command.command();
    return new SequenceInputStream(new ByteArrayInputStream(command.head()), body);
  }
}
