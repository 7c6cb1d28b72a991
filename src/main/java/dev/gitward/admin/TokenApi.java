package dev.gitward.admin;

import dev.gitward.config.GitwardConfig;
import dev.gitward.token.KeyRing;
import dev.gitward.token.RevocationList;
import dev.gitward.token.TokenMinter;
import io.undertow.server.RoutingHandler;
import java.time.Clock;

/** The token routes of the admin listener: minting, revocation and the public keys. */
public final class TokenApi {
  private TokenApi() {}

  /** Adds the token routes to the admin listener's {@code routes}. */
  public static void register(
      RoutingHandler routes,
      GitwardConfig config,
      TokenMinter minter,
      KeyRing keys,
      RevocationList revocations,
      Clock clock) {
    // TODO: POST /v1/tokens, POST /v1/revocations and GET /.well-known/jwks.json.
  }
}
