package dev.gitward.audit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The record of what Gitward did with one git request, as one line of the audit log. The field
 * order of the JSON line is fixed, so equal events give equal bytes. A token is named by its {@code
 * jti}, and no field contains a token or credential.
 *
 * @param time when the request arrived, an ISO-8601 UTC instant with milliseconds
 * @param requestId the id that the client received in {@code X-Request-Id}
 * @param task the task id of the token, or null before the token was verified
 * @param tokenId the token's {@code jti}, or null before the token was verified
 * @param clientAddress the peer IP address of the TCP connection
 * @param upstream the configured upstream name from the path, or null when the path was invalid
 * @param repository the repository path without {@code .git}, or null when the path was invalid
 * @param service {@code git-upload-pack}, {@code git-receive-pack}, or null when the path was
 *     invalid
 * @param advertisement whether the request was {@code GET info/refs}
 * @param protocolVersion 0, 1 or 2, from the forwarded {@code Git-Protocol} header
 * @param decision {@code allowed}, {@code denied}, {@code rejected}, {@code unauthenticated},
 *     {@code failed} or {@code probe}
 * @param reason a code for why the request was not allowed, or null when it was
 * @param status the HTTP status that Gitward sent the client
 * @param refCommands the commands of a push, empty for other requests
 * @param bytesIn request body bytes read from the client
 * @param bytesOut response body bytes sent to the client
 * @param durationMs milliseconds from the start of the request to this event
 * @param upstreamStatus the upstream's HTTP status, or 0 when nothing reached the upstream
 * @param seq the line's position in its chain segment, from 1
 * @param prevHash the SHA-256 (lowercase hex) of the previous line's bytes, or 64 zeros first
 */
@JsonPropertyOrder({
  "time",
  "request_id",
  "task",
  "token_id",
  "client_address",
  "upstream",
  "repository",
  "service",
  "advertisement",
  "protocol_version",
  "decision",
  "reason",
  "status",
  "ref_commands",
  "bytes_in",
  "bytes_out",
  "duration_ms",
  "upstream_status",
  "seq",
  "prev_hash"
})
public record AuditEvent(
    @JsonProperty("time") String time,
    @JsonProperty("request_id") String requestId,
    @JsonProperty("task") @Nullable String task,
    @JsonProperty("token_id") @Nullable String tokenId,
    @JsonProperty("client_address") @Nullable String clientAddress,
    @JsonProperty("upstream") @Nullable String upstream,
    @JsonProperty("repository") @Nullable String repository,
    @JsonProperty("service") @Nullable String service,
    @JsonProperty("advertisement") boolean advertisement,
    @JsonProperty("protocol_version") int protocolVersion,
    @JsonProperty("decision") String decision,
    @JsonProperty("reason") @Nullable String reason,
    @JsonProperty("status") int status,
    @JsonProperty("ref_commands") List<RefCommand> refCommands,
    @JsonProperty("bytes_in") long bytesIn,
    @JsonProperty("bytes_out") long bytesOut,
    @JsonProperty("duration_ms") long durationMs,
    @JsonProperty("upstream_status") int upstreamStatus,
    @JsonProperty("seq") long seq,
    @JsonProperty("prev_hash") @Nullable String prevHash) {
  public AuditEvent {
    refCommands = List.copyOf(refCommands);
  }

  /** Returns whether this records a receive-pack request that reached the upstream. */
  @JsonIgnore
  public boolean isForwardedPush() {
    return "git-receive-pack".equals(service) && !advertisement && upstreamStatus != 0;
  }

  /**
   * Returns whether this records an allowed upload-pack request, which changes nothing upstream.
   */
  @JsonIgnore
  public boolean isFetch() {
    return decision.equals("allowed") && "git-upload-pack".equals(service);
  }

  /** Returns this event placed in the chain at {@code seq} after a line with {@code prevHash}. */
  AuditEvent chained(long seq, String prevHash) {
    return new AuditEvent(
        time,
        requestId,
        task,
        tokenId,
        clientAddress,
        upstream,
        repository,
        service,
        advertisement,
        protocolVersion,
        decision,
        reason,
        status,
        refCommands,
        bytesIn,
        bytesOut,
        durationMs,
        upstreamStatus,
        seq,
        prevHash);
  }

  /**
   * One ref command of a push and what became of it.
   *
   * @param ref the full ref name
   * @param oldId the id the client expected the ref to have, zeros when creating
   * @param newId the id the client asked for, zeros when deleting
   * @param action {@code create}, {@code update} (a fast-forward proven from the pushed pack),
   *     {@code force} (an update not proven to be a fast-forward) or {@code delete}
   * @param decision Gitward's decision on the command: {@code allowed} or {@code denied}
   * @param reason the deny reason code, or null when allowed
   * @param upstreamResult {@code ok} or {@code ng} from the upstream's report-status, or null when
   *     the push was not forwarded or the upstream sent no readable report
   * @param upstreamReason the upstream's text after {@code ng}, or null
   */
  @JsonPropertyOrder({
    "ref",
    "old",
    "new",
    "action",
    "decision",
    "reason",
    "upstream_result",
    "upstream_reason"
  })
  public record RefCommand(
      @JsonProperty("ref") String ref,
      @JsonProperty("old") String oldId,
      @JsonProperty("new") String newId,
      @JsonProperty("action") String action,
      @JsonProperty("decision") String decision,
      @JsonProperty("reason") @Nullable String reason,
      @JsonProperty("upstream_result") @Nullable String upstreamResult,
      @JsonProperty("upstream_reason") @Nullable String upstreamReason) {

    /** Returns this command with the upstream's result for it. */
    public RefCommand withUpstreamResult(String result, @Nullable String upstreamReason) {
      return new RefCommand(ref, oldId, newId, action, decision, reason, result, upstreamReason);
    }
  }
}
