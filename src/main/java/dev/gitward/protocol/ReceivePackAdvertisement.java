package dev.gitward.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites the response to {@code GET info/refs?service=git-receive-pack} on its way to the client.
 * The capabilities on the first ref line gain {@code no-thin}, so the client sends a self-contained
 * pack, and lose {@code push-cert}, so the client does not offer a push certificate. Every other
 * packet is copied unchanged, one packet at a time.
 */
public final class ReceivePackAdvertisement {
  private static final String SERVICE_LINE = "# service=git-receive-pack";
  private static final String NO_THIN = "no-thin";

  private final PacketLineIn in;
  private final PacketLineOut out;

  private ReceivePackAdvertisement(
      InputStream upstream, OutputStream client, ProtocolLimits limits) {
    this.in = new PacketLineIn(upstream, limits);
    this.out = new PacketLineOut(client);
  }

  /**
   * Copies an advertisement from {@code upstream} to {@code client} with the first ref line's
   * capabilities rewritten. The expected form is the service packet and a flush, an optional {@code
   * version 1} packet, the first ref line {@code <id> <ref>\0<capabilities>} (with ref {@code
   * capabilities^{}} and the zero id in an empty repository), further ref and {@code shallow}
   * lines, a flush and the end of the stream.
   *
   * @throws ProtocolException if the framing or the first ref line is malformed; some bytes may
   *     already have been written to {@code client}
   * @throws IOException if reading or writing fails
   */
  public static void rewrite(InputStream upstream, OutputStream client, ProtocolLimits limits)
      throws IOException, ProtocolException {
    new ReceivePackAdvertisement(upstream, client, limits).rewrite();
  }

  private void rewrite() throws IOException, ProtocolException {
    copyServiceHeader();
    Packet first = in.readPacket();
    if (first.type() == Packet.Type.DATA && isVersionOne(first)) {
      out.writeData(first.payload());
      first = in.readPacket();
    }
    if (first.type() != Packet.Type.DATA) {
      throw new ProtocolException(
          "advertisement", first.type().toString(), "a first ref line with capabilities");
    }
    out.writeData(rewriteFirstLine(first.payload()));
    copyRefLines();
  }

  private void copyServiceHeader() throws IOException, ProtocolException {
    Packet service = in.readPacket();
    if (service.type() != Packet.Type.DATA
        || !latin1(service.chompedPayload()).equals(SERVICE_LINE)) {
      throw new ProtocolException("advertisement", service.payload(), SERVICE_LINE);
    }
    out.writeData(service.payload());
    if (in.readPacket().type() != Packet.Type.FLUSH) {
      throw new ProtocolException("advertisement", "no flush", "a flush after " + SERVICE_LINE);
    }
    out.writeFlush();
  }

  private static boolean isVersionOne(Packet packet) {
    return latin1(packet.chompedPayload()).equals("version 1");
  }

  private void copyRefLines() throws IOException, ProtocolException {
    while (true) {
      Packet packet = in.readPacket();
      if (packet.type() == Packet.Type.FLUSH) {
        out.writeFlush();
        break;
      }
      if (packet.type() != Packet.Type.DATA) {
        throw new ProtocolException("advertisement", packet.type().toString(), "data or flush");
      }
      out.writeData(packet.payload());
    }
    Packet end = in.readPacketOrEnd();
    if (end.type() != Packet.Type.END_OF_STREAM) {
      throw new ProtocolException("advertisement", end.toString(), "end of stream after the flush");
    }
  }

  /** Returns {@code <id> <ref>\0<capabilities>} with the capability list rewritten. */
  static byte[] rewriteFirstLine(byte[] payload) throws ProtocolException {
    int nul = indexOfNul(payload);
    if (nul < 0) {
      throw new ProtocolException("first ref line", payload, "<id> <ref>\\0<capabilities>");
    }
    String refPart = latin1(Arrays.copyOf(payload, nul));
    int space = refPart.indexOf(' ');
    if (space < 0 || !GitObjectId.isValid(refPart.substring(0, space))) {
      throw new ProtocolException("first ref line", payload, "<id> <ref>\\0<capabilities>");
    }
    String capabilityText = latin1(Arrays.copyOfRange(payload, nul + 1, payload.length));
    boolean endsWithLf = capabilityText.endsWith("\n");
    String capabilities =
        rewriteCapabilities(
            endsWithLf ? capabilityText.substring(0, capabilityText.length() - 1) : capabilityText);
    String line = refPart + "\0" + capabilities + (endsWithLf ? "\n" : "");
    byte[] rewritten = line.getBytes(StandardCharsets.ISO_8859_1);
    if (rewritten.length > ProtocolLimits.LARGE_PACKET_MAX - 4) {
      throw new ProtocolException(
          "first ref line", rewritten.length + " bytes with no-thin", "at most 65516 bytes");
    }
    return rewritten;
  }

  private static String rewriteCapabilities(String text) {
    List<String> remaining = new ArrayList<>();
    for (String capability : text.split(" ")) {
      boolean pushCert = capability.equals("push-cert") || capability.startsWith("push-cert=");
      if (!capability.isEmpty() && !pushCert) {
        remaining.add(capability);
      }
    }
    if (!remaining.contains(NO_THIN)) {
      remaining.add(NO_THIN);
    }
    return String.join(" ", remaining);
  }

  private static int indexOfNul(byte[] payload) {
    for (int i = 0; i < payload.length; i++) {
      if (payload[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
