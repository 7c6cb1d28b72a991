package dev.gitward.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds receive-pack request bodies for the benchmarks. */
public final class PushBodies {
  private PushBodies() {}

  /**
   * Returns a push body with {@code commands} ref commands on {@code refs/heads/agent/t1/branch-N}:
   * every tenth a create, every tenth a delete, the rest updates. The first line carries the
   * capabilities git 2.39 sends, and a few pack bytes follow the flush.
   */
  public static byte[] commands(int commands) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String zero = "0".repeat(40);
    for (int i = 0; i < commands; i++) {
      String oldId = i % 10 == 0 ? zero : String.format("%040x", i + 1);
      String newId = i % 10 == 5 ? zero : String.format("%040x", i + 1_000_000);
      String line = oldId + " " + newId + " " + refName(i);
      if (i == 0) {
        line += "\0report-status side-band-64k ofs-delta agent=git/2.39.5";
      }
      writePacket(body, line + "\n");
    }
    body.writeBytes("0000".getBytes(StandardCharsets.US_ASCII));
    body.writeBytes("PACK\0\0\0\2\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
    return body.toByteArray();
  }

  /** Returns the ref name of command {@code index}. */
  public static String refName(int index) {
    return String.format("refs/heads/agent/t1/branch-%04d", index);
  }

  private static void writePacket(ByteArrayOutputStream out, String payload) {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(String.format("%04x", bytes.length + 4).getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(bytes);
  }
}
