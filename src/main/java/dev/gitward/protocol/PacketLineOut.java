package dev.gitward.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A pkt-line writer. Each packet goes to the underlying stream in one {@code write} call, and
 * nothing is buffered, so the caller decides when to flush the stream.
 */
public final class PacketLineOut {
  /** Maximum packet length, four length digits included, with {@code side-band-64k}. */
  public static final int SIDE_BAND_64K_MAX_PACKET = ProtocolLimits.LARGE_PACKET_MAX;

  /** Maximum packet length, four length digits included, with plain {@code side-band}. */
  public static final int SIDE_BAND_MAX_PACKET = 1000;

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_LENGTH = 4;

  private final OutputStream out;

  /** Creates a writer to {@code out}. */
  public PacketLineOut(OutputStream out) {
    this.out = out;
  }

  /**
   * Writes one data packet.
   *
   * @throws IllegalArgumentException if the payload is empty or longer than 65516 bytes
   */
  public void writeData(byte[] payload) throws IOException {
    writeData(payload, 0, payload.length);
  }

  /** Writes {@code length} bytes of {@code payload} from {@code offset} as one data packet. */
  public void writeData(byte[] payload, int offset, int length) throws IOException {
    byte[] packet = newPacket(length);
    System.arraycopy(payload, offset, packet, HEADER_LENGTH, length);
    out.write(packet);
  }

  /** Writes {@code text} encoded as UTF-8 as one data packet. It adds no LF. */
  public void writeString(String text) throws IOException {
    writeData(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a flush packet, {@code 0000}. */
  public void writeFlush() throws IOException {
    out.write(new byte[] {'0', '0', '0', '0'});
  }

  /** Writes a delim packet, {@code 0001}. */
  public void writeDelim() throws IOException {
    out.write(new byte[] {'0', '0', '0', '1'});
  }

  /**
   * Writes {@code data} on {@code band} in packets of at most 65520 bytes ({@code side-band-64k}).
   */
  public void writeSideBand(int band, byte[] data) throws IOException {
    writeSideBand(band, data, SIDE_BAND_64K_MAX_PACKET);
  }

  /**
   * Writes {@code data} on {@code band}, split into packets of at most {@code maxPacketLength}
   * bytes, the four length digits and the band byte included. Empty data writes nothing.
   *
   * @param band 1 for data, 2 for progress, 3 for a fatal error
   * @param maxPacketLength {@link #SIDE_BAND_64K_MAX_PACKET} or {@link #SIDE_BAND_MAX_PACKET}
   */
  public void writeSideBand(int band, byte[] data, int maxPacketLength) throws IOException {
    if (band < 1 || band > 3) {
      throw new IllegalArgumentException("band: " + band + " (expected: 1, 2 or 3)");
    }
    if (maxPacketLength < HEADER_LENGTH + 2 || maxPacketLength > ProtocolLimits.LARGE_PACKET_MAX) {
      throw new IllegalArgumentException(
          "maxPacketLength: " + maxPacketLength + " (expected: 6 to 65520)");
    }
    int chunk = maxPacketLength - HEADER_LENGTH - 1;
    for (int offset = 0; offset < data.length; offset += chunk) {
      int length = Math.min(chunk, data.length - offset);
      byte[] packet = newPacket(length + 1);
      packet[HEADER_LENGTH] = (byte) band;
      System.arraycopy(data, offset, packet, HEADER_LENGTH + 1, length);
      out.write(packet);
    }
  }

  /** Returns a packet array of the right size with the four length digits filled in. */
  private static byte[] newPacket(int payloadLength) {
    int packetLength = HEADER_LENGTH + payloadLength;
    if (payloadLength < 1 || packetLength > ProtocolLimits.LARGE_PACKET_MAX) {
      throw new IllegalArgumentException(
          "payload length: " + payloadLength + " (expected: 1 to 65516 bytes)");
    }
    byte[] packet = new byte[packetLength];
    for (int i = 0; i < HEADER_LENGTH; i++) {
      packet[i] = HEX[(packetLength >> (12 - 4 * i)) & 0xf];
    }
    return packet;
  }
}
