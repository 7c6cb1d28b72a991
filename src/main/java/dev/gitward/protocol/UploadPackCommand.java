package dev.gitward.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The command of a protocol v2 git-upload-pack POST body, read from its first packet {@code
 * command=<name>}.
 *
 * @param command the command name, such as {@code ls-refs} or {@code fetch}
 * @param head the exact bytes read from the body, to forward ahead of the rest of the body
 */
public record UploadPackCommand(String command, byte[] head) implements UploadPackBody {
  private static final String PREFIX = "command=";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

  /** Copies the head. */
  public UploadPackCommand {
    head = head.clone();
  }

  /**
   * Reads the first packet of a protocol v2 request body and leaves {@code in} after it. Bodies of
   * protocol v0 and v1, which start with {@code want} lines, are rejected.
   *
   * @return the command, or a {@link Probe} if the body is exactly {@code 0000}
   * @throws ProtocolException if the first packet is not {@code command=<name>} with an optional
   *     LF, or if {@code 0000} is followed by more data
   * @throws IOException if reading {@code in} fails
   */
  public static UploadPackBody read(InputStream in, ProtocolLimits limits)
      throws IOException, ProtocolException {
    RecordingInputStream recording = new RecordingInputStream(in);
    Packet packet = new PacketLineIn(recording, limits).readPacket();
    if (packet.type() == Packet.Type.FLUSH) {
      byte[] extra = recording.readNBytes(16);
      if (extra.length > 0) {
        throw new ProtocolException("body after 0000", extra, "end of body for a probe");
      }
      return new Probe();
    }
    String line = new String(packet.chompedPayload(), StandardCharsets.ISO_8859_1);
    if (packet.type() != Packet.Type.DATA || !line.startsWith(PREFIX)) {
      throw new ProtocolException("first packet", packet.payload(), "command=<name>");
    }
    String command = line.substring(PREFIX.length());
    if (!NAME.matcher(command).matches()) {
      throw new ProtocolException("command", command, "a name of lowercase letters, digits and -");
    }
    return new UploadPackCommand(command, recording.recorded());
  }

  /** Returns a copy of the head bytes. */
  @Override
  public byte[] head() {
    return head.clone();
  }

  /**
   * Returns whether the command is {@code ls-refs} or {@code fetch}, the two that are forwarded.
   */
  public boolean isForwardable() {
    return command.equals("ls-refs") || command.equals("fetch");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UploadPackCommand that
        && command.equals(that.command)
        && Arrays.equals(head, that.head);
  }

  @Override
  public int hashCode() {
    return 31 * command.hashCode() + Arrays.hashCode(head);
  }

  @Override
  public String toString() {
    return "UploadPackCommand[command=" + command + ", head=" + head.length + " bytes]";
  }
}
