package dev.gitward.proxy;

import dev.gitward.audit.AuditEvent;
import dev.gitward.policy.RepositoryName;
import dev.gitward.token.TaskToken;
import dev.gitward.token.TokenRejectedException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The state of one proxied request gathered so far, for the access log and the audit event. It is
 * confined to the thread that serves the request: a worker, or the connection's I/O thread for a
 * relayed fetch.
 */
final class GitExchange {
  final String requestId;
  final long startNanos = System.nanoTime();
  final Instant startTime = Instant.now();
  @Nullable GitRoute route;
  @Nullable RepositoryName repository;
  @Nullable TaskToken token;
  @Nullable String protocolVersion;
  String decision = "pending";
  @Nullable String reason;
  TokenRejectedException.@Nullable Reason tokenRejection;
  final List<AuditEvent.RefCommand> refCommands = new ArrayList<>();
  long bytesIn;
  long bytesOut;
  int upstreamStatus;

  /** Nanoseconds until the upstream's response headers or failure, or -1 when not contacted. */
  long upstreamNanos = -1;

  /**
   * Whether the response body went through the response channel, not the blocking output stream, so
   * that the exchange can end on the connection's I/O thread.
   */
  boolean responseOnChannel;

  /**
   * Whether the response is a ref list, which the upstream writes at once: an advertisement or an
   * {@code ls-refs} result. Its start is held back so that a short one goes out with its length.
   */
  boolean refList;

  /**
   * A response body that was held whole and is not sent yet. Its {@code Content-Length} is set, and
   * the I/O thread sends it as it ends the exchange.
   */
  @Nullable ByteBuffer heldBody;

  GitExchange(String requestId) {
    this.requestId = requestId;
  }

  Optional<TaskToken> token() {
    return Optional.ofNullable(token);
  }
}
