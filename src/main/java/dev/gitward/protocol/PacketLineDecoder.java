package dev.gitward.protocol;

/**
 * A push-style pkt-line decoder for bytes that arrive in arbitrary chunks, with the same rules as
 * {@link PacketLineIn}. It buffers at most one packet.
 */
final class PacketLineDecoder {
  /** Receives each complete packet. */
  interface Handler {
    void onPacket(Packet packet) throws ProtocolException;
  }

  private static final int HEADER_LENGTH = 4;

  private final int maxPacketLength;
  private final Handler handler;
  private final byte[] header = new byte[HEADER_LENGTH];
  private int headerFill;
  private byte[] payload = new byte[0];
  private int payloadFill;

  PacketLineDecoder(int maxPacketLength, Handler handler) {
    this.maxPacketLength = maxPacketLength;
    this.handler = handler;
  }

  void feed(byte[] bytes, int offset, int length) throws ProtocolException {
    int end = offset + length;
    int position = offset;
    while (position < end) {
      if (headerFill < HEADER_LENGTH) {
        header[headerFill++] = bytes[position++];
        if (headerFill == HEADER_LENGTH) {
          startPacket();
        }
        continue;
      }
      int count = Math.min(payload.length - payloadFill, end - position);
      System.arraycopy(bytes, position, payload, payloadFill, count);
      payloadFill += count;
      position += count;
      if (payloadFill == payload.length) {
        finishData();
      }
    }
  }

  /** Returns whether no packet is partly received. */
  boolean atBoundary() {
    return headerFill == 0;
  }

  private void startPacket() throws ProtocolException {
    int length = PacketLineIn.parseLength(header, maxPacketLength);
    if (length > 2) {
      payload = new byte[length - HEADER_LENGTH];
      payloadFill = 0;
      return;
    }
    headerFill = 0;
    handler.onPacket(controlPacket(length));
  }

  private static Packet controlPacket(int length) {
    switch (length) {
      case 0:
        return Packet.FLUSH;
      case 1:
        return Packet.DELIM;
      default:
        return Packet.RESPONSE_END;
    }
  }

  private void finishData() throws ProtocolException {
    headerFill = 0;
    handler.onPacket(Packet.data(payload));
  }
}
