package dev.gitward.proxy;

import dev.gitward.config.Limits;
import dev.gitward.protocol.Probe;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.UploadPackBody;
import dev.gitward.protocol.UploadPackCommand;
import dev.gitward.upstream.Upstream;
import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

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
    RequestBody body =
        RequestBody.open(
            exchange,
            limits.uploadPackRequest(),
            "upload-pack request body",
            "limits.upload-pack-request");
    InputStream forwarded = body.stream();
    if ("version=2".equals(state.protocolVersion)) {
      forwarded = checkCommand(body.stream(), state);
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
            body.length(),
            GitService.UPLOAD_PACK.requestType()),
        null);
  }

  private InputStream checkCommand(InputStream body, GitExchange state)
      throws ProxyRejection, IOException {
    UploadPackBody parsed = forwardableCommand(body, state, protocolLimits);
    if (parsed instanceof Probe probe) {
      return new ByteArrayInputStream(probe.body());
    }
    UploadPackCommand command = (UploadPackCommand) parsed;
    return new SequenceInputStream(new ByteArrayInputStream(command.head()), body);
  }

  /**
   * Reads the start of a protocol v2 request from {@code body} and returns it when it is a probe or
   * names a forwarded command, which it records in {@code state}.
   *
   * @throws ProxyRejection 400 for an invalid request, 403 for a command that is not forwarded
   */
  static UploadPackBody forwardableCommand(
      InputStream body, GitExchange state, ProtocolLimits protocolLimits)
      throws ProxyRejection, IOException {
    UploadPackBody parsed;
    try {
      parsed = UploadPackCommand.read(body, protocolLimits);
    } catch (ProtocolException e) {
      throw ProxyRejection.badRequest("invalid protocol v2 request: " + e.getMessage());
    }
    if (parsed instanceof Probe) {
      return parsed;
    }
    UploadPackCommand command = (UploadPackCommand) parsed;
    if (!command.isForwardable()) {
      throw ProxyRejection.forbidden(
          "protocol v2 command "
              + ProxyRejection.shorten(command.command())
              + " is not forwarded (expected: ls-refs or fetch)");
    }
    state.reason = "command=" + command.command();
    state.refList = command.command().equals("ls-refs");
    return command;
  }
}
