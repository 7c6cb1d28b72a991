package dev.gitward.protocol;

import static dev.gitward.protocol.Wire.A;
import static dev.gitward.protocol.Wire.pkt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class ReceivePackAdvertisementTest {
  private static final String SERVICE = pkt("# service=git-receive-pack\n") + "0000";

  private static String rewrite(String upstream) throws Exception {
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    ReceivePackAdvertisement.rewrite(Wire.stream(upstream), client, ProtocolLimits.defaults());
    return Wire.text(client.toByteArray());
  }

  private static String rewriteError(String upstream) {
    return assertThrows(ProtocolException.class, () -> rewrite(upstream)).getMessage();
  }

  @Test
  void rewrite_addsNoThinToCapturedAdvertisement() throws Exception {
    String captured = Wire.text(Wire.captured("adv-main.bin"));
    String expected = captured.replace("git/2.39.5\n", "git/2.39.5 no-thin\n");
    expected =
        String.format("%04x", Integer.parseInt(expected.substring(0, 4), 16) + 8)
            + expected.substring(4);
    assertEquals(SERVICE + expected, rewrite(SERVICE + captured));
  }

  @Test
  void rewrite_handlesCapturedEmptyRepository() throws Exception {
    String rewritten = rewrite(SERVICE + Wire.text(Wire.captured("adv-empty.bin")));
    assertEquals(true, rewritten.contains(" capabilities^{}\0report-status "));
    assertEquals(true, rewritten.endsWith(" agent=git/2.39.5 no-thin\n0000"));
  }

  @Test
  void rewrite_removesPushCert() throws Exception {
    String upstream =
        SERVICE
            + pkt(A + " refs/heads/main\0report-status push-cert=1700000000-abc quiet\n")
            + "0000";
    assertEquals(
        SERVICE + pkt(A + " refs/heads/main\0report-status quiet no-thin\n") + "0000",
        rewrite(upstream));
  }

  @Test
  void rewrite_keepsExistingNoThin() throws Exception {
    String upstream = SERVICE + pkt(A + " refs/heads/main\0no-thin push-cert\n") + "0000";
    assertEquals(SERVICE + pkt(A + " refs/heads/main\0no-thin\n") + "0000", rewrite(upstream));
  }

  @Test
  void rewrite_passesVersionOneAndLaterLines() throws Exception {
    String later = pkt(A + " refs/heads/other\n") + pkt("shallow " + A + "\n");
    String upstream =
        SERVICE + pkt("version 1\n") + pkt(A + " refs/heads/main\0quiet\n") + later + "0000";
    assertEquals(
        SERVICE
            + pkt("version 1\n")
            + pkt(A + " refs/heads/main\0quiet no-thin\n")
            + later
            + "0000",
        rewrite(upstream));
  }

  @Test
  void rewrite_rejectsWrongService() {
    assertEquals(
        "advertisement: # service=git-upload-pack\\x0a (expected: # service=git-receive-pack)",
        rewriteError(pkt("# service=git-upload-pack\n") + "0000"));
  }

  @Test
  void rewrite_rejectsFirstLineWithoutCapabilities() {
    assertEquals(
        "first ref line: " + A + " refs/heads/main\\x0a (expected: <id> <ref>\\0<capabilities>)",
        rewriteError(SERVICE + pkt(A + " refs/heads/main\n") + "0000"));
  }

  @Test
  void rewrite_rejectsTruncatedStream() {
    assertThrows(
        ProtocolException.class, () -> rewrite(SERVICE + pkt(A + " refs/heads/main\0x\n")));
  }

  @Test
  void rewrite_rejectsDataAfterFinalFlush() {
    assertThrows(
        ProtocolException.class,
        () -> rewrite(SERVICE + pkt(A + " refs/heads/main\0x\n") + "0000" + "0000"));
  }
}
