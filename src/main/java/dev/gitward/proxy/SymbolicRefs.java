package dev.gitward.proxy;

import dev.gitward.policy.RepositoryName;
import dev.gitward.protocol.Packet;
import dev.gitward.protocol.PacketLineIn;
import dev.gitward.protocol.PacketLineOut;
import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.upstream.CredentialUnavailableException;
import dev.gitward.upstream.Upstream;
import dev.gitward.upstream.UpstreamClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Finds which refs of a push are symbolic refs on the upstream. git receive-pack updates the target
 * of a symbolic ref, so a push to {@code refs/heads/agent/link} that points at {@code
 * refs/heads/main} would move {@code main} although only the link's name was checked.
 *
 * <p>The lookup is a protocol v2 {@code ls-refs} request with {@code symrefs}, a read that Gitward
 * sends with the upstream credential for fetches before any byte of the push goes upstream.
 */
final class SymbolicRefs {
  private SymbolicRefs() {}

  /**
   * Returns the refs among {@code refs} that are symbolic on the upstream, each with its target.
   *
   * @throws ProxyRejection 502 when the lookup on the upstream fails, so the push fails closed
   */
  static Map<String, String> find(
      Upstream upstream,
      GitRoute push,
      RepositoryName repository,
      Collection<String> refs,
      ProtocolLimits limits)
      throws ProxyRejection {
    GitRoute lookup =
        new GitRoute(push.upstream(), push.repositoryPath(), GitService.UPLOAD_PACK, false);
    Map<String, String> headers = new LinkedHashMap<>();
    try {
      upstream
          .credential()
          .authorization(repository, false)
          .ifPresent(value -> headers.put("Authorization", value));
    } catch (CredentialUnavailableException e) {
      throw new ProxyRejection(
          503,
          "no upstream credential for "
              + repository
              + " could be obtained to check symbolic refs; try again later");
    }
    headers.put("Git-Protocol", "version=2");
    headers.put("Accept", GitService.UPLOAD_PACK.resultType());
    byte[] body = request(refs);
    try (UpstreamClient.Exchange call =
        upstream
            .client()
            .open(
                upstream.resolve(lookup.repositoryPath(), lookup.upstreamSuffix()),
                headers,
                new ByteArrayInputStream(body),
                body.length,
                GitService.UPLOAD_PACK.requestType())) {
      int status = call.response().getCode();
      if (status != 200 || call.response().getEntity() == null) {
        call.abort();
        throw new ProxyRejection(
            502,
            "upstream "
                + upstream.name()
                + " answered HTTP "
                + status
                + " to the symbolic-ref check of "
                + repository
                + ", so the push was not forwarded");
      }
      try (InputStream in = call.response().getEntity().getContent()) {
        return parse(in, new HashSet<>(refs), limits);
      }
    } catch (IOException | ProtocolException e) {
      throw new ProxyRejection(
          502,
          "the symbolic-ref check of "
              + repository
              + " on upstream "
              + upstream.name()
              + " failed ("
              + e.getClass().getSimpleName()
              + "), so the push was not forwarded; the upstream must support git protocol v2");
    }
  }

  private static byte[] request(Collection<String> refs) throws ProxyRejection {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PacketLineOut out = new PacketLineOut(bytes);
      out.writeString("command=ls-refs\n");
      out.writeDelim();
      out.writeString("symrefs\n");
      for (String ref : new HashSet<>(refs)) {
        out.writeString("ref-prefix " + ref + "\n");
      }
      out.writeFlush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new ProxyRejection(500, "the symbolic-ref check could not be written");
    }
  }

  /** Reads {@code <id> <ref>[ symref-target:<target>][ peeled:<id>]} lines up to the flush. */
  private static Map<String, String> parse(
      InputStream in, Set<String> wanted, ProtocolLimits limits)
      throws IOException, ProtocolException {
    PacketLineIn packets = new PacketLineIn(in, limits);
    Map<String, String> symbolic = new LinkedHashMap<>();
    while (true) {
      Packet packet = packets.readPacket();
      if (packet.type() == Packet.Type.FLUSH) {
        return symbolic;
      }
      if (packet.type() != Packet.Type.DATA) {
        throw new ProtocolException(
            "ls-refs response", packet.type().name(), "data lines up to a flush");
      }
      String[] fields = new String(packet.payload(), StandardCharsets.UTF_8).strip().split(" ");
      if (fields.length < 2) {
        throw new ProtocolException("ls-refs line", packet.payload(), "<id> <ref> [attributes]");
      }
      for (int i = 2; i < fields.length; i++) {
        if (fields[i].startsWith("symref-target:") && wanted.contains(fields[1])) {
          symbolic.put(fields[1], fields[i].substring("symref-target:".length()));
        }
      }
    }
  }
}
