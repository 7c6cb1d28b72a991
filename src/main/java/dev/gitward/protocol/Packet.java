package dev.gitward.protocol;

import java.util.Arrays;

/**
 * One pkt-line, or the end of the stream at a packet boundary.
 *
 * @param type the kind of packet
 * @param payload the bytes after the four length digits; empty for every type except {@code DATA}.
 *     The array is shared, not copied, so callers must not modify it.
 */
public record Packet(Type type, byte[] payload) {
  /** Kinds of pkt-line. */
  public enum Type {
    /** A packet with a payload, length {@code 0005} or more. */
    DATA,
    /** {@code 0000}: the end of a section. */
    FLUSH,
    /** {@code 0001}: the separator between sections in protocol v2. */
    DELIM,
    /** {@code 0002}: the end of a stateless response in protocol v2. */
    RESPONSE_END,
    /** The stream ended exactly between two packets. */
    END_OF_STREAM
  }

  private static final byte[] EMPTY = new byte[0];
  static final Packet FLUSH = new Packet(Type.FLUSH, EMPTY);
  static final Packet DELIM = new Packet(Type.DELIM, EMPTY);
  static final Packet RESPONSE_END = new Packet(Type.RESPONSE_END, EMPTY);
  static final Packet END_OF_STREAM = new Packet(Type.END_OF_STREAM, EMPTY);

  /** Creates a data packet. */
  public static Packet data(byte[] payload) {
    return new Packet(Type.DATA, payload);
  }

  /** Returns the payload without one trailing LF, as git's readers strip it. */
  byte[] chompedPayload() {
    int length = payload.length;
    if (length > 0 && payload[length - 1] == '\n') {
      return Arrays.copyOf(payload, length - 1);
    }
    return payload;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Packet that
        && type == that.type
        && Arrays.equals(payload, that.payload);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Packet[" + type + ", " + ProtocolException.describe(payload) + "]";
  }
}
