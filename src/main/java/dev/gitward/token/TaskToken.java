package dev.gitward.token;

import dev.gitward.policy.Grant;
import java.time.Instant;
import java.util.List;

/**
 * The verified claims of a task token. It holds no secret: the token text itself is never kept, and
 * a token is named by its {@code jti} ({@link #tokenId}).
 *
 * @param task the task id ({@code sub})
 * @param tokenId the unique token id ({@code jti})
 * @param issuedAt {@code iat}
 * @param notBefore {@code nbf}, equal to {@code iat} when the token has none
 * @param expiresAt {@code exp}
 * @param grants what the task may do
 */
public record TaskToken(
    String task,
    String tokenId,
    Instant issuedAt,
    Instant notBefore,
    Instant expiresAt,
    List<Grant> grants) {
  public TaskToken {
    grants = List.copyOf(grants);
  }
}
