package dev.gitward.proxy;

import dev.gitward.config.Limits;
import dev.gitward.policy.AccessPolicy;
import dev.gitward.policy.Decision;
import dev.gitward.policy.DenyReason;
import dev.gitward.protocol.Probe;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.ReceivePackBody;
import dev.gitward.protocol.ReceivePackReport;
import dev.gitward.protocol.ReceivePackRequest;
import dev.gitward.protocol.ReceivePackRequestParser;
import dev.gitward.protocol.RefCommand;
import dev.gitward.protocol.RefStatus;
import dev.gitward.upstream.Upstream;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code POST git-receive-pack}: reads the command list before a byte goes upstream, decides
 * every command, proves fast-forwards from the pack where the grants need it, and then either
 * forwards the whole push or rejects all of it with a report that git shows.
 */
final class ReceivePackHandler {
  private static final Logger log = LoggerFactory.getLogger(ReceivePackHandler.class);

  private final Limits limits;
  private final ProtocolLimits protocolLimits;
  private final Path spoolDirectory;

  ReceivePackHandler(Limits limits, ProtocolLimits protocolLimits, Path spoolDirectory) {
    this.limits = limits;
    this.protocolLimits = protocolLimits;
    this.spoolDirectory = spoolDirectory;
  }

  void handle(
      HttpServerExchange exchange,
      GitExchange state,
      Upstream upstream,
      GitRoute route,
      AccessPolicy policy)
      throws ProxyRejection, IOException {
    RequestBody decoded =
        RequestBody.open(exchange, limits.pushBody(), "push body", "limits.push-body");
    LimitedInputStream body = decoded.stream();
    ReceivePackBody parsed = parse(body);
    if (parsed instanceof Probe probe) {
      requireEnd(body);
      forwardProbe(exchange, state, upstream, route, policy, probe);
      return;
    }
    ReceivePackRequest request = (ReceivePackRequest) parsed;
    PushPlan plan = PushPlan.decide(request, policy, upstream.settings().pushOptions());
    if (plan.allAllowedSoFar()) {
      Map<String, String> symbolic =
          SymbolicRefs.find(
              upstream,
              route,
              state.repository,
              request.commands().stream().map(RefCommand::refName).toList(),
              protocolLimits);
      if (!symbolic.isEmpty()) {
        plan = plan.denySymbolicRefs(symbolic);
      }
    }
    record(state, plan);
    if (plan.needsProof() && plan.allAllowedSoFar()) {
      proveAndForward(exchange, state, upstream, route, policy, request, plan, decoded);
      return;
    }
    if (!plan.allAllowedSoFar()) {
      reject(exchange, state, request, plan.finish(), body);
      return;
    }
    forward(exchange, state, upstream, route, request, body, decoded.length());
  }

  /**
   * Reads to the end of a probe's body before it is forwarded, so that the request's framing,
   * trailer fields included, is checked first and a rejected request never reaches the upstream.
   */
  private static void requireEnd(InputStream body) throws ProxyRejection, IOException {
    if (body.read() != -1) {
      throw ProxyRejection.badRequest(
          "push probe continues after its flush packet (expected: the body 0000 alone)");
    }
  }

  private ReceivePackBody parse(InputStream body) throws ProxyRejection, IOException {
    try {
      return ReceivePackRequestParser.parse(body, protocolLimits);
    } catch (ProtocolException e) {
      throw ProxyRejection.badRequest("invalid push request: " + e.getMessage());
    }
  }

  private void forwardProbe(
      HttpServerExchange exchange,
      GitExchange state,
      Upstream upstream,
      GitRoute route,
      AccessPolicy policy,
      Probe probe)
      throws ProxyRejection {
    Decision decision = policy.pushAdvertisement();
    if (!decision.isAllowed()) {
      state.reason = decision.reason().orElseThrow().code();
      throw ProxyRejection.forbidden(decision.message());
    }
    state.decision = "probe";
    byte[] bytes = probe.body();
    Forwarder.forward(
        exchange,
        state,
        new Forwarder.Outgoing(
            upstream,
            route,
            state.repository,
            true,
            new ByteArrayInputStream(bytes),
            bytes.length,
            GitService.RECEIVE_PACK.requestType()),
        null);
  }

  private void proveAndForward(
      HttpServerExchange exchange,
      GitExchange state,
      Upstream upstream,
      GitRoute route,
      AccessPolicy policy,
      ReceivePackRequest request,
      PushPlan plan,
      RequestBody decoded)
      throws ProxyRejection, IOException {
    LimitedInputStream body = decoded.stream();
    Path spill = Files.createTempFile(spoolDirectory, "gitward-push-", ".pack");
    try {
      List<Decision> decisions = prove(policy, request, plan, body, spill);
      PushPlan proven = plan.withDecisions(decisions);
      record(state, proven);
      if (decisions.stream().anyMatch(decision -> !decision.isAllowed())) {
        reject(exchange, state, request, proven.finish(), body);
        return;
      }
      try (InputStream pack = Files.newInputStream(spill)) {
        forward(exchange, state, upstream, route, request, pack, decoded.length());
      }
    } finally {
      Files.deleteIfExists(spill);
    }
  }

  private List<Decision> prove(
      AccessPolicy policy, ReceivePackRequest request, PushPlan plan, InputStream body, Path spill)
      throws IOException {
    if (request.capabilityValue("object-format").filter("sha256"::equals).isPresent()) {
      Files.copy(body, spill, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return plan.proveAll(
          command ->
              policy.notFastForward(
                  command.refName(), "a fast-forward cannot be proven in a SHA-256 repository"));
    }
    try (OutputStream copy = Files.newOutputStream(spill);
        PushedPack pack = PushedPack.index(new TeeInputStream(body, copy), spoolDirectory)) {
      Forwarder.copy(body, copy);
      return plan.proveAll(
          command -> {
            try {
              if (pack.reaches(command.newId().hex(), command.oldId().hex())) {
                return Decision.allowed();
              }
            } catch (IOException e) {
              return policy.notFastForward(command.refName(), "its pushed commits cannot be read");
            }
            return policy.notFastForward(
                command.refName(),
                "the pushed commits do not reach its"
                    + " current id "
                    + command.oldId().hex().substring(0, 12));
          });
    } catch (PushedPack.InvalidPackException e) {
      log.info("push pack rejected: {}", Responses.oneLine(e.getMessage()));
      return plan.proveAll(
          command ->
              Decision.denied(
                  DenyReason.INVALID_PACK,
                  "the pushed pack is not self-contained or is malformed ("
                      + Responses.oneLine(e.getMessage())
                      + "); push again, because Gitward asks for a pack without thin"
                      + " deltas"));
    }
  }

  private void forward(
      HttpServerExchange exchange,
      GitExchange state,
      Upstream upstream,
      GitRoute route,
      ReceivePackRequest request,
      InputStream pack,
      long length)
      throws ProxyRejection {
    state.decision = "allowed";
    InputStream whole = new SequenceInputStream(new ByteArrayInputStream(request.head()), pack);
    UpstreamReport report = UpstreamReport.expected(request, protocolLimits, state.requestId);
    Forwarder.forward(
        exchange,
        state,
        new Forwarder.Outgoing(
            upstream,
            route,
            state.repository,
            true,
            whole,
            length,
            GitService.RECEIVE_PACK.requestType()),
        report == null ? null : report::copy);
    if (report != null && state.upstreamStatus == 200) {
      report.record(state);
    }
  }

  private void reject(
      HttpServerExchange exchange,
      GitExchange state,
      ReceivePackRequest request,
      List<RefStatus> statuses,
      LimitedInputStream body)
      throws IOException {
    state.decision = "denied";
    boolean drained = drain(body);
    StringBuilder message = new StringBuilder("gitward rejected the push:\n");
    statuses.forEach(
        status ->
            status
                .rejectReason()
                .ifPresent(
                    reason ->
                        message.append(status.refName()).append(": ").append(reason).append('\n')));
    exchange.setStatusCode(200);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, GitService.RECEIVE_PACK.resultType());
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    if (!drained) {
      exchange.setPersistent(false);
    }
    // The report is at most a few hundred bytes per command, so it is buffered to send it with a
    // Content-Length: a closing connection would otherwise get a body without any framing.
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    ReceivePackReport.write(report, statuses, request.sideBand64k(), message.toString());
    exchange.setResponseContentLength(report.size());
    OutputStream out = exchange.getOutputStream();
    report.writeTo(out);
    out.flush();
    state.bytesOut += report.size();
    log.info(
        "request {} push rejected for task {} (jti {}): {}",
        state.requestId,
        state.token().map(token -> token.task()).orElse("?"),
        state.token().map(token -> token.tokenId()).orElse("?"),
        state.reason);
  }

  /** Reads and discards the rest of the body; returns false when it passed its limit. */
  private static boolean drain(LimitedInputStream body) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    try {
      while (body.read(buffer) >= 0) {
        // Discarded: git reads the report only after it has sent the whole body.
      }
      return true;
    } catch (LimitedInputStream.LimitExceededException e) {
      return false;
    }
  }

  private static void record(GitExchange state, PushPlan plan) {
    state.refCommands.clear();
    state.refCommands.addAll(plan.auditCommands());
    state.reason = plan.firstDenial().map(DenyReason::code).orElse(null);
  }
}
