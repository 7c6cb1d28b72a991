package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.protocol.ProtocolException;
import dev.gitward.protocol.ProtocolLimits;
import dev.gitward.protocol.ReceivePackBody;
import dev.gitward.protocol.ReceivePackRequest;
import dev.gitward.protocol.ReceivePackRequestParser;
import dev.gitward.protocol.RefCommand;
import dev.gitward.protocol.RefNameRules;
import dev.gitward.protocol.UploadPackBody;
import dev.gitward.protocol.UploadPackCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property tests of the parsers that read untrusted input: on any input each one returns a result
 * that satisfies the grammar or raises its own rejection, never another exception, and quickly.
 */
class WireParserPropertiesTest {
  private static final long MAX_NANOS_PER_TRY = 1_000_000_000L;
  private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();
  private static final String VALID_PUSH =
      pkt(
              "0".repeat(40)
                  + " "
                  + "1".repeat(40)
                  + " refs/heads/agent/a\0report-status side-band-64k\n")
          + pkt("2".repeat(40) + " " + "3".repeat(40) + " refs/heads/agent/b\n")
          + "0000PACK";

  private static String pkt(String payload) {
    return String.format("%04x", payload.length() + 4) + payload;
  }

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.of(
                "local",
                "owner",
                "repo.git",
                "info",
                "refs",
                "git-upload-pack",
                "git-receive-pack",
                "..",
                ".",
                "",
                "%2e",
                "a;b",
                "a\\b",
                "HEAD",
                "objects"),
            Arbitraries.strings().withChars("aZ09._-%;\\:@ ").ofMaxLength(6));
    return segment.list().ofMaxSize(7).map(parts -> "/" + String.join("/", parts));
  }

  @Provide
  Arbitrary<String> queries() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "service=git-upload-pack",
            "service=git-receive-pack",
            "service=git-upload-pack&service=git-receive-pack",
            "service=git-upload-pack&x=1",
            "service=%67it-upload-pack"),
        Arbitraries.strings().withChars("service=git-ukpacr&%").ofMaxLength(40));
  }

  @Property(tries = 2000)
  void routeParse_acceptsOnlyTheGrammar(
      @ForAll("targets") String path, @ForAll("queries") String query, @ForAll boolean post) {
    long start = System.nanoTime();
    try {
      GitRoute route = GitRoute.parse(post ? "POST" : "GET", path, query.isEmpty() ? null : query);
      assertTrue(path.matches("(/[A-Za-z0-9_.-]+)+"), "accepted path: " + path);
      assertTrue(!path.contains("/./"), "dot segment: " + path);
      assertTrue(!path.contains("/../"), "dot-dot segment: " + path);
      assertTrue(!route.upstream().isEmpty(), "upstream of " + path);
    } catch (ProxyRejection rejection) {
      assertTrue(
          rejection.status() >= 400 && rejection.status() < 500, "status " + rejection.status());
    }
    assertTrue(System.nanoTime() - start < MAX_NANOS_PER_TRY, "slow parse of " + path);
  }

  @Provide
  Arbitrary<byte[]> mutatedPushes() {
    byte[] valid = VALID_PUSH.getBytes(StandardCharsets.ISO_8859_1);
    Arbitrary<byte[]> mutated =
        Arbitraries.integers()
            .between(0, valid.length - 1)
            .list()
            .ofMinSize(1)
            .ofMaxSize(4)
            .flatMap(
                positions ->
                    Arbitraries.bytes()
                        .list()
                        .ofSize(positions.size())
                        .map(values -> mutate(valid, positions, values)));
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    return Arbitraries.oneOf(mutated, random);
  }

  private static byte[] mutate(byte[] valid, List<Integer> positions, List<Byte> values) {
    byte[] copy = valid.clone();
    for (int i = 0; i < positions.size(); i++) {
      copy[positions.get(i)] = values.get(i);
    }
    return copy;
  }

  @Property(tries = 3000)
  void receivePackParse_yieldsValidCommandsOrRejects(@ForAll("mutatedPushes") byte[] body) {
    long start = System.nanoTime();
    try {
      ReceivePackBody parsed =
          ReceivePackRequestParser.parse(new ByteArrayInputStream(body), LIMITS);
      if (parsed instanceof ReceivePackRequest request) {
        assertTrue(!request.commands().isEmpty(), "no commands");
        for (RefCommand command : request.commands()) {
          assertTrue(
              RefNameRules.check(command.refName(), LIMITS.maxRefNameBytes()).isEmpty(),
              "invalid ref accepted: " + command.refName());
        }
      }
    } catch (ProtocolException | IOException e) {
      // A rejection: the proxy sends 400 and forwards nothing.
    }
    assertTrue(System.nanoTime() - start < MAX_NANOS_PER_TRY, "slow parse");
  }

  @Property(tries = 2000)
  void uploadPackCommand_forwardsOnlyReads(@ForAll("v2Requests") byte[] body) {
    try {
      UploadPackBody parsed = UploadPackCommand.read(new ByteArrayInputStream(body), LIMITS);
      if (parsed instanceof UploadPackCommand command && command.isForwardable()) {
        assertTrue(
            List.of("ls-refs", "fetch").contains(command.command()),
            "forwarded command: " + command.command());
      }
    } catch (ProtocolException | IOException e) {
      // A rejection: the proxy sends 400.
    }
  }

  @Provide
  Arbitrary<byte[]> v2Requests() {
    Arbitrary<String> command =
        Arbitraries.oneOf(
            Arbitraries.of("ls-refs", "fetch", "object-info", "bundle-uri", "fetch ", "FETCH"),
            Arbitraries.strings().withChars("abcdefhilnorstu-= \0").ofMaxLength(12));
    return command.map(
        name ->
            (pkt("command=" + name + "\n") + pkt("agent=git/2.39\n") + "0001" + "0000")
                .getBytes(StandardCharsets.ISO_8859_1));
  }

  @Provide
  Arbitrary<String> authorizationHeaders() {
    Arbitrary<String> scheme = Arbitraries.of("Bearer", "Basic", "bearer", "Token", "", "Basic  ");
    Arbitrary<String> value =
        Arbitraries.strings().withChars("abcXYZ019-_.=:+/ \t").ofMaxLength(64);
    return net.jqwik.api.Combinators.combine(scheme, value).as((s, v) -> s + " " + v);
  }

  @Property(tries = 2000)
  void credentialExtract_returnsTokenOrRejects(@ForAll("authorizationHeaders") String header) {
    try {
      String token = TaskCredential.extract(List.of(header), 8192);
      assertTrue(token.length() <= 8192, "token length " + token.length());
    } catch (ProxyRejection rejection) {
      assertTrue(
          rejection.status() == 400 || rejection.status() == 401, "status " + rejection.status());
    }
  }
}
