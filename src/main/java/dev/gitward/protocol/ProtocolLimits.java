package dev.gitward.protocol;

/**
 * Bounds on untrusted wire input.
 *
 * @param maxPacketLength maximum pkt-line length in bytes, the four length digits included; git
 *     never sends more than 65520
 * @param maxCommandSectionBytes maximum bytes of a push request before the pack: shallow lines,
 *     commands, push options and their flushes
 * @param maxCommands maximum ref commands in one push
 * @param maxRefNameBytes maximum length of a ref name in UTF-8 bytes
 */
public record ProtocolLimits(
    int maxPacketLength, int maxCommandSectionBytes, int maxCommands, int maxRefNameBytes) {
  /** Largest pkt-line that git writes or accepts (its {@code LARGE_PACKET_MAX}). */
  public static final int LARGE_PACKET_MAX = 65520;

  /** Smallest pkt-line with a payload: four length digits and one byte. */
  static final int MIN_DATA_PACKET_LENGTH = 5;

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException naming the first limit out of range
   */
  public ProtocolLimits {
    requireRange("maxPacketLength", maxPacketLength, MIN_DATA_PACKET_LENGTH, LARGE_PACKET_MAX);
    requireRange("maxCommandSectionBytes", maxCommandSectionBytes, 4, Integer.MAX_VALUE);
    requireRange("maxCommands", maxCommands, 1, Integer.MAX_VALUE);
    requireRange("maxRefNameBytes", maxRefNameBytes, 1, Integer.MAX_VALUE);
  }

  /** Returns 65520-byte packets, a 1 MiB command section, 1000 commands and 255-byte refs. */
  public static ProtocolLimits defaults() {
    return new ProtocolLimits(LARGE_PACKET_MAX, 1024 * 1024, 1000, 255);
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + ": " + value + " (expected: " + min + " to " + max + ")");
    }
  }
}
