package dev.gitward.proxy;

import dev.gitward.audit.AuditEvent;
import dev.gitward.audit.AuditLog;
import dev.gitward.audit.AuditUnavailableException;
import dev.gitward.metrics.GitwardMeters;
import dev.gitward.token.TaskToken;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each finished git request three ways: an audit event, the request meters and one access
 * log line. It also rejects or delays new requests while the audit log cannot record them.
 *
 * <p>Reason codes come from a closed set: the deny reason codes, {@code token-} and a token
 * rejection cause, and the fixed codes in {@link #reasonFor}.
 */
final class RequestRecorder {
  private static final Logger log = LoggerFactory.getLogger(RequestRecorder.class);

  /** Reason code of a request rejected because the audit log cannot be written. */
  static final String AUDIT_UNAVAILABLE = "audit-unavailable";

  private final AuditLog audit;
  private final GitwardMeters meters;

  /** Maximum wait for a forwarded push's audit event to reach the disk. */
  static final Duration PUSH_AUDIT_WAIT = Duration.ofSeconds(5);

  RequestRecorder(AuditLog audit, GitwardMeters meters) {
    this.audit = audit;
    this.meters = meters;
  }

  void started() {
    meters.requestStarted();
  }

  /**
   * Returns normally when the audit log can record the request.
   *
   * @throws ProxyRejection 503 before any upstream I/O when it cannot
   */
  void admit(GitExchange state) throws ProxyRejection {
    try {
      audit.admit();
    } catch (AuditUnavailableException e) {
      state.reason = AUDIT_UNAVAILABLE;
      log.warn("request {} rejected because {}", state.requestId, e.getMessage());
      throw new ProxyRejection(
          503,
          "audit log unavailable; Gitward forwards no request that it cannot record, so try again"
              + " later");
    }
  }

  /** Returns the audit decision of a request that ended with {@code rejection}. */
  static String decisionFor(GitExchange state, ProxyRejection rejection) {
    if (rejection.status() == 401) {
      return "unauthenticated";
    }
    if (rejection.status() == 403) {
      return "denied";
    }
    boolean forwarding = state.decision.equals("allowed") || state.decision.equals("probe");
    return forwarding && rejection.status() != 404 ? "failed" : "rejected";
  }

  /**
   * Writes the audit event and updates the meters, before the response ends so that both hold the
   * request once the client has it. The access line follows with {@link #logAccess}, after the
   * response ended, because formatting and writing it took a third of a forwarded request's worker
   * time, which the client waited for while the last chunk was held back.
   */
  AuditEvent finished(HttpServerExchange exchange, GitExchange state) {
    int status = exchange.getStatusCode();
    String reason = reasonFor(state, status);
    long bytesOut = Math.max(state.bytesOut, exchange.getResponseBytesSent());
    long millis = (System.nanoTime() - state.startNanos) / 1_000_000;
    AuditEvent event = event(exchange, state, status, reason, bytesOut, millis);
    if (AUDIT_UNAVAILABLE.equals(reason)) {
      audit.offer(event);
    } else if (event.isForwardedPush()) {
      awaitOnDisk(event);
    } else {
      audit.submit(event);
    }
    String service = service(state);
    meters.requestFinished(
        service, state.decision, reason == null ? "allowed" : reason, state.bytesIn, bytesOut);
    if (state.tokenRejection != null) {
      meters.tokenRejected(state.tokenRejection);
    }
    if (state.upstreamNanos >= 0 && state.route != null) {
      meters.upstreamResponse(
          state.route.upstream(), service, state.upstreamStatus, state.upstreamNanos);
    }
    return event;
  }

  /**
   * Queues the event of a push that reached the upstream and waits until it is on disk, so that a
   * push that git reports as done is in the audit file even if Gitward is killed right after. The
   * client's response ends only after this returns. After {@link #PUSH_AUDIT_WAIT} the response
   * ends anyway, because the push already happened upstream, and a WARN line records that.
   */
  private void awaitOnDisk(AuditEvent event) {
    if (!audit.submitAndAwait(event, PUSH_AUDIT_WAIT)) {
      log.warn(
          "request {} push event not on disk after {} s; ending the response anyway",
          event.requestId(),
          PUSH_AUDIT_WAIT.toSeconds());
    }
  }

  private static AuditEvent event(
      HttpServerExchange exchange,
      GitExchange state,
      int status,
      @Nullable String reason,
      long bytesOut,
      long millis) {
    GitRoute route = state.route;
    return new AuditEvent(
        state.startTime.truncatedTo(ChronoUnit.MILLIS).toString(),
        state.requestId,
        state.token().map(TaskToken::task).orElse(null),
        state.token().map(TaskToken::tokenId).orElse(null),
        clientAddress(exchange),
        state.repository == null ? null : state.repository.upstream(),
        state.repository == null ? null : state.repository.path(),
        route == null ? null : route.service().wireName(),
        route != null && route.advertisement(),
        protocolVersion(state.protocolVersion),
        state.decision,
        reason,
        status,
        state.refCommands,
        state.bytesIn,
        bytesOut,
        millis,
        state.upstreamStatus,
        0,
        null);
  }

  /**
   * Returns the reason code of a request that was not allowed, or null when it was. A code set
   * while deciding wins, then the token rejection cause, and the HTTP status gives the rest.
   */
  static @Nullable String reasonFor(GitExchange state, int status) {
    if (state.decision.equals("allowed") || state.decision.equals("probe")) {
      return null;
    }
    if (state.reason != null) {
      return state.reason;
    }
    if (state.tokenRejection != null) {
      return "token-" + state.tokenRejection.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return switch (status) {
      case 400 -> "invalid-request";
      case 401 -> "no-task-token";
      case 404 -> state.upstreamStatus == 404 ? "upstream-not-found" : "not-found";
      case 405 -> "method-not-allowed";
      case 413 -> "too-large";
      case 415 -> "unsupported-encoding";
      case 500 -> "internal-error";
      case 502 -> "upstream-error";
      case 503 -> "credential-unavailable";
      case 504 -> "upstream-timeout";
      default -> "transfer-failed";
    };
  }

  private static String service(GitExchange state) {
    return state.route == null ? "none" : state.route.service().wireName();
  }

  private static int protocolVersion(@Nullable String header) {
    if ("version=2".equals(header)) {
      return 2;
    }
    return "version=1".equals(header) ? 1 : 0;
  }

  private static @Nullable String clientAddress(HttpServerExchange exchange) {
    InetSocketAddress source = exchange.getSourceAddress();
    return source == null || source.getAddress() == null
        ? null
        : source.getAddress().getHostAddress();
  }

  /** Logs the access line of a request that {@link #finished} recorded. */
  static void logAccess(HttpServerExchange exchange, GitExchange state, AuditEvent event) {
    log.info(
        "request {} {} {}/{} {} task={} jti={} decision={} reason={} status={} upstream_status={}"
            + " bytes_in={} bytes_out={} duration_ms={} ref_commands={}",
        state.requestId,
        exchange.getRequestMethod(),
        event.upstream() == null ? "-" : event.upstream(),
        event.repository() == null ? "-" : event.repository(),
        event.service() == null ? "-" : event.service() + (event.advertisement() ? "-refs" : ""),
        event.task() == null ? "-" : event.task(),
        event.tokenId() == null ? "-" : event.tokenId(),
        event.decision(),
        event.reason() == null ? "-" : event.reason(),
        event.status(),
        event.upstreamStatus(),
        event.bytesIn(),
        event.bytesOut(),
        event.durationMs(),
        event.refCommands().size());
  }
}
