package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.A;
import static dev.gitward.protocol.Wire.B;
import static dev.gitward.protocol.Wire.pkt;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutates valid wire vectors at random with a fixed seed. Every parser must return normally or
 * throw {@link ProtocolException}, never another exception, and must finish in bounded time.
 */
class MutationFuzzTest {
  private static final int ITERATIONS = 3000;
  private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();

  /** A parser under test that reads one mutated input. */
  private interface Target {
    void run(byte[] input) throws Exception;
  }

  @Test
  void receivePackParser_onlyThrowsProtocolException() {
    List<byte[]> seeds =
        List.of(
            Wire.captured("push-create-two.bin"),
            Wire.captured("push-delete.bin"),
            Wire.captured("push-sha256-options.bin"),
            Wire.bytes(
                pkt("shallow " + B)
                    + pkt(A + " " + B + " refs/heads/a\0 push-options\n")
                    + "0000"
                    + pkt("o")
                    + "0000"),
            Wire.bytes("0000"));
    fuzz(seeds, input -> ReceivePackRequestParser.parse(new ByteArrayInputStream(input), LIMITS));
  }

  @Test
  void advertisementRewrite_onlyThrowsProtocolException() {
    String service = pkt("# service=git-receive-pack\n") + "0000";
    List<byte[]> seeds =
        List.of(
            Wire.bytes(service + Wire.text(Wire.captured("adv-main.bin"))),
            Wire.bytes(service + Wire.text(Wire.captured("adv-empty.bin"))));
    fuzz(
        seeds,
        input ->
            ReceivePackAdvertisement.rewrite(
                new ByteArrayInputStream(input), new ByteArrayOutputStream(), LIMITS));
  }

  @Test
  void reportStatusReader_onlyThrowsProtocolException() {
    List<byte[]> seeds =
        List.of(Wire.captured("report-sideband.bin"), Wire.captured("report-sideband-ng.bin"));
    fuzz(
        seeds,
        input -> {
          ReportStatusReader.read(
              new ByteArrayInputStream(input), true, LIMITS, (band, data) -> {});
          ReportStatusReader.read(
              new ByteArrayInputStream(input), false, LIMITS, (band, data) -> {});
        });
  }

  @Test
  void uploadPackCommand_onlyThrowsProtocolException() {
    List<byte[]> seeds =
        List.of(Wire.bytes(pkt("command=ls-refs\n") + "0001" + pkt("peel") + "0000"));
    fuzz(seeds, input -> UploadPackCommand.read(new ByteArrayInputStream(input), LIMITS));
  }

  private static void fuzz(List<byte[]> seeds, Target target) {
    Random random = new Random(20240601L);
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            runOne(target, input);
          }
        });
  }

  private static void runOne(Target target, byte[] input) {
    try {
      target.run(input);
    } catch (ProtocolException expected) {
      // Rejecting malformed input is the correct outcome.
    } catch (Exception | Error e) {
      fail("input " + ProtocolException.describe(input) + " threw " + e, e);
    }
  }

  /** Applies one to four random byte flips, insertions, deletions or truncations. */
  private static byte[] mutate(byte[] seed, Random random) {
    byte[] data = seed.clone();
    int mutations = 1 + random.nextInt(4);
    for (int m = 0; m < mutations && data.length > 0; m++) {
      int position = random.nextInt(data.length);
      switch (random.nextInt(5)) {
        case 0 -> data[position] = (byte) random.nextInt(256);
        case 1 -> data[position] = (byte) "0123456789abcdefABCDEF \0\n".charAt(random.nextInt(25));
        case 2 -> data = insert(data, position, (byte) random.nextInt(256));
        case 3 -> data = delete(data, position);
        default -> data = Arrays.copyOf(data, position);
      }
    }
    return data;
  }

  private static byte[] insert(byte[] data, int position, byte value) {
    byte[] result = new byte[data.length + 1];
    System.arraycopy(data, 0, result, 0, position);
    result[position] = value;
    System.arraycopy(data, position, result, position + 1, data.length - position);
    return result;
  }

  private static byte[] delete(byte[] data, int position) {
    byte[] result = new byte[data.length - 1];
    System.arraycopy(data, 0, result, 0, position);
    System.arraycopy(data, position + 1, result, position, data.length - position - 1);
    return result;
  }
}
