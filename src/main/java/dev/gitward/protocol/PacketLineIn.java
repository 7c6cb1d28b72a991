package dev.gitward.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A strict pkt-line reader. It reads exactly the bytes of one packet per call and never reads
 * ahead, so after the last packet of a section the caller can keep reading raw data, such as a
 * pack, from the same stream.
 *
 * <p>The length is exactly four hex digits. Like git's {@code pkt-line.c}, which decodes the digits
 * with its case-insensitive hex table, both {@code a-f} and {@code A-F} are accepted. Lengths
 * {@code 0003} and {@code 0004} are invalid, as is any length over the configured maximum.
 */
public final class PacketLineIn {
  private static final int HEADER_LENGTH = 4;

  private final InputStream in;
  private final int maxPacketLength;
  private long bytesRead;

  /** Creates a reader that rejects packets longer than {@code limits.maxPacketLength()}. */
  public PacketLineIn(InputStream in, ProtocolLimits limits) {
    this.in = in;
    this.maxPacketLength = limits.maxPacketLength();
  }

  /**
   * Reads the next packet, or returns a packet of type {@code END_OF_STREAM} when the stream ends
   * exactly at a packet boundary.
   *
   * @throws ProtocolException on an invalid length or when the stream ends inside a packet
   */
  public Packet readPacketOrEnd() throws IOException, ProtocolException {
    byte[] header = in.readNBytes(HEADER_LENGTH);
    bytesRead += header.length;
    if (header.length == 0) {
      return Packet.END_OF_STREAM;
    }
    if (header.length < HEADER_LENGTH) {
      throw new ProtocolException("pkt-line length", header, "four hex digits, stream truncated");
    }
    int length = parseLength(header, maxPacketLength);
    switch (length) {
      case 0:
        return Packet.FLUSH;
      case 1:
        return Packet.DELIM;
      case 2:
        return Packet.RESPONSE_END;
      default:
        return Packet.data(readPayload(header, length - HEADER_LENGTH));
    }
  }

  /**
   * Reads the next packet and rejects the end of the stream.
   *
   * @throws ProtocolException on an invalid packet or at the end of the stream
   */
  public Packet readPacket() throws IOException, ProtocolException {
    Packet packet = readPacketOrEnd();
    if (packet.type() == Packet.Type.END_OF_STREAM) {
      throw new ProtocolException("pkt-line", "end of stream", "another packet");
    }
    return packet;
  }

  /** Returns the number of bytes consumed from the stream so far. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Decodes four hex digits into a valid packet length. */
  static int parseLength(byte[] header, int maxPacketLength) throws ProtocolException {
    int length = 0;
    for (byte digit : header) {
      int value = hexValue(digit);
      if (value < 0) {
        throw new ProtocolException("pkt-line length", header, "four hex digits");
      }
      length = length * 16 + value;
    }
    if (length == 3 || length == HEADER_LENGTH) {
      throw new ProtocolException("pkt-line length", header, "0000, 0001, 0002 or 0005 and above");
    }
    if (length > maxPacketLength) {
      throw new ProtocolException(
          "pkt-line length", header, "at most " + maxPacketLength + " bytes, limits.pkt-line");
    }
    return length;
  }

  private static int hexValue(byte digit) {
    if (digit >= '0' && digit <= '9') {
      return digit - '0';
    }
    if (digit >= 'a' && digit <= 'f') {
      return digit - 'a' + 10;
    }
    if (digit >= 'A' && digit <= 'F') {
      return digit - 'A' + 10;
    }
    return -1;
  }

  private byte[] readPayload(byte[] header, int length) throws IOException, ProtocolException {
    byte[] payload = in.readNBytes(length);
    bytesRead += payload.length;
    if (payload.length < length) {
      throw new ProtocolException(
          "pkt-line " + new String(header, StandardCharsets.US_ASCII),
          payload.length + " of " + length + " payload bytes",
          "a complete packet, stream truncated");
    }
    return payload;
  }
}
