package dev.gitward.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the head of a git-receive-pack POST body with git's grammar: optional {@code shallow}
 * lines, ref commands with capabilities after a NUL on the first one only, a flush, push options up
 * to a second flush if {@code push-options} was requested, and then the pack unless every command
 * is a delete.
 *
 * <p>It is stricter than git 2.39's receive-pack, which also accepts {@code shallow} lines between
 * commands and capabilities on any command. Push certificates are rejected.
 */
public final class ReceivePackRequestParser {
  private final RecordingInputStream in;
  private final PacketLineIn packets;
  private final ProtocolLimits limits;

  private ReceivePackRequestParser(InputStream in, ProtocolLimits limits) {
    this.in = new RecordingInputStream(in);
    this.packets = new PacketLineIn(this.in, limits);
    this.limits = limits;
  }

  /**
   * Reads the head of a push body and leaves {@code in} at the first byte of the pack. When every
   * command is a delete, it also checks that the body ends after the head.
   *
   * @return the request, or a {@link Probe} if the body is exactly {@code 0000}
   * @throws ProtocolException if the body breaks the grammar or a limit
   * @throws IOException if reading {@code in} fails
   */
  public static ReceivePackBody parse(InputStream in, ProtocolLimits limits)
      throws IOException, ProtocolException {
    return new ReceivePackRequestParser(in, limits).parse();
  }

  private ReceivePackBody parse() throws IOException, ProtocolException {
    List<byte[]> lines = readSection();
    if (lines.isEmpty()) {
      requireEndOfBody("body after 0000", "end of body for a probe, or ref commands");
      return new Probe();
    }
    int firstCommand = countShallowLines(lines);
    if (firstCommand == lines.size()) {
      throw new ProtocolException("commands", "none", "at least one ref command before the flush");
    }
    CommandLineParser commandParser = CommandLineParser.forFirstLine(lines.get(firstCommand));
    List<GitObjectId> shallows = parseShallows(lines.subList(0, firstCommand), commandParser);
    List<RefCommand> commands =
        parseCommands(lines.subList(firstCommand, lines.size()), commandParser);
    List<String> pushOptions = readPushOptions(commandParser.capabilities());
    ReceivePackRequest request =
        new ReceivePackRequest(
            shallows, commands, commandParser.capabilities(), pushOptions, in.recorded());
    if (!request.packExpected()) {
      requireEndOfBody("body after commands", "end of body, because every command is a delete");
    }
    return request;
  }

  /** Reads data packets up to a flush, within the command section limits. */
  private List<byte[]> readSection() throws IOException, ProtocolException {
    List<byte[]> lines = new ArrayList<>();
    while (true) {
      Packet packet = packets.readPacket();
      checkSectionLength();
      switch (packet.type()) {
        case FLUSH:
          return lines;
        case DATA:
          lines.add(packet.chompedPayload());
          break;
        default:
          throw new ProtocolException("pkt-line", packet.type().toString(), "data or flush");
      }
    }
  }

  private void checkSectionLength() throws ProtocolException {
    int max = limits.maxCommandSectionBytes();
    if (packets.bytesRead() > max) {
      throw new ProtocolException(
          "command section",
          "more than " + max + " bytes",
          "at most " + max + " bytes, limits.command-section");
    }
  }

  private static int countShallowLines(List<byte[]> lines) {
    int count = 0;
    while (count < lines.size() && CommandLineParser.isShallowLine(lines.get(count))) {
      count++;
    }
    return count;
  }

  private static List<GitObjectId> parseShallows(List<byte[]> lines, CommandLineParser parser)
      throws ProtocolException {
    List<GitObjectId> shallows = new ArrayList<>();
    for (byte[] line : lines) {
      shallows.add(parser.parseShallow(line));
    }
    return shallows;
  }

  private List<RefCommand> parseCommands(List<byte[]> lines, CommandLineParser parser)
      throws ProtocolException {
    if (lines.size() > limits.maxCommands()) {
      throw new ProtocolException(
          "commands",
          String.valueOf(lines.size()),
          "at most " + limits.maxCommands() + " ref commands, limits.commands");
    }
    List<RefCommand> commands = new ArrayList<>();
    Set<String> refNames = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      RefCommand command = parser.parseCommand(lines.get(i), i == 0, limits.maxRefNameBytes());
      if (!refNames.add(command.refName())) {
        throw new ProtocolException("ref name", command.refName(), "at most one command per ref");
      }
      commands.add(command);
    }
    return commands;
  }

  private List<String> readPushOptions(List<String> capabilities)
      throws IOException, ProtocolException {
    if (!capabilities.contains("push-options")) {
      return List.of();
    }
    List<String> options = new ArrayList<>();
    for (byte[] line : readSection()) {
      options.add(CommandLineParser.parsePushOption(line));
    }
    return options;
  }

  private void requireEndOfBody(String name, String expected)
      throws IOException, ProtocolException {
    byte[] extra = in.readNBytes(16);
    if (extra.length > 0) {
      throw new ProtocolException(name, extra, expected);
    }
  }
}
