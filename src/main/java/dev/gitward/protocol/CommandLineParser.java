package dev.gitward.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Parses the lines of a push request once the first command's capabilities fix the object format.
 * Lines arrive without their trailing LF.
 */
final class CommandLineParser {
  private static final String SHALLOW_PREFIX = "shallow ";
  private static final String COMMAND_FORM = "<old-id> <new-id> <ref-name>";

  private final List<String> capabilities;
  private final int hexLength;
  private final String objectFormat;

  private CommandLineParser(List<String> capabilities, String objectFormat, int hexLength) {
    this.capabilities = capabilities;
    this.objectFormat = objectFormat;
    this.hexLength = hexLength;
  }

  /** Reads the capabilities after the NUL of the first command and the object format they set. */
  static CommandLineParser forFirstLine(byte[] line) throws ProtocolException {
    int nul = indexOf(line, (byte) 0);
    if (isPushCertificate(line, nul)) {
      throw pushCertificateRejected("push-cert");
    }
    List<String> capabilities = nul < 0 ? List.of() : parseCapabilities(line, nul + 1);
    String objectFormat = findValue(capabilities, "object-format").orElse("sha1");
    switch (objectFormat) {
      case "sha1":
        return new CommandLineParser(capabilities, objectFormat, GitObjectId.SHA1_HEX_LENGTH);
      case "sha256":
        return new CommandLineParser(capabilities, objectFormat, GitObjectId.SHA256_HEX_LENGTH);
      default:
        throw new ProtocolException("object-format", objectFormat, "sha1 or sha256");
    }
  }

  static boolean isShallowLine(byte[] line) {
    return latin1(line, 0, line.length).startsWith(SHALLOW_PREFIX);
  }

  List<String> capabilities() {
    return capabilities;
  }

  GitObjectId parseShallow(byte[] line) throws ProtocolException {
    String text = latin1(line, 0, line.length);
    return parseId("shallow id", text.substring(SHALLOW_PREFIX.length()));
  }

  /** Parses {@code <old-id> <new-id> <ref-name>}, with capabilities only if {@code first}. */
  RefCommand parseCommand(byte[] line, boolean first, int maxRefNameBytes)
      throws ProtocolException {
    int nul = indexOf(line, (byte) 0);
    if (isPushCertificate(line, nul)) {
      throw pushCertificateRejected("push-cert");
    }
    if (nul >= 0 && !first) {
      throw new ProtocolException("command", line, "capabilities only after the first command");
    }
    int end = nul < 0 ? line.length : nul;
    String text = latin1(line, 0, end);
    if (text.startsWith(SHALLOW_PREFIX)) {
      throw new ProtocolException("command", line, "shallow lines only before the first command");
    }
    if (end < 2 * hexLength + 3
        || text.charAt(hexLength) != ' '
        || text.charAt(2 * hexLength + 1) != ' ') {
      throw new ProtocolException("command", line, COMMAND_FORM);
    }
    GitObjectId oldId = parseId("old id", text.substring(0, hexLength));
    GitObjectId newId = parseId("new id", text.substring(hexLength + 1, 2 * hexLength + 1));
    String refName = parseRefName(line, 2 * hexLength + 2, end, maxRefNameBytes);
    if (oldId.isZero() && newId.isZero()) {
      throw new ProtocolException("command", line, "at most one of the two ids zero");
    }
    return new RefCommand(oldId, newId, refName);
  }

  static String parsePushOption(byte[] line) throws ProtocolException {
    if (indexOf(line, (byte) 0) >= 0 || indexOf(line, (byte) '\n') >= 0) {
      throw new ProtocolException("push option", line, "one line without NUL or LF");
    }
    return decodeUtf8("push option", line, 0, line.length);
  }

  private GitObjectId parseId(String name, String hex) throws ProtocolException {
    if (hex.length() != hexLength || !GitObjectId.isValid(hex)) {
      throw new ProtocolException(
          name, hex, hexLength + " lowercase hex digits, as object-format is " + objectFormat);
    }
    return new GitObjectId(hex);
  }

  private static String parseRefName(byte[] line, int start, int end, int maxBytes)
      throws ProtocolException {
    String refName = decodeUtf8("ref name", line, start, end);
    if (refName.indexOf('\n') >= 0) {
      throw new ProtocolException("ref name", refName, "no LF inside a ref name");
    }
    Optional<String> problem = RefNameRules.check(refName, maxBytes);
    if (problem.isPresent()) {
      throw new ProtocolException(
          "ref name", refName, "a valid git ref name, but " + problem.get());
    }
    return refName;
  }

  private static List<String> parseCapabilities(byte[] line, int start) throws ProtocolException {
    List<String> capabilities = new ArrayList<>();
    for (String capability : latin1(line, start, line.length).split(" ")) {
      if (capability.isEmpty()) {
        continue;
      }
      if (!capability.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new ProtocolException("capability", capability, "printable ASCII without spaces");
      }
      if (capability.equals("push-cert") || capability.startsWith("push-cert=")) {
        throw pushCertificateRejected(capability);
      }
      capabilities.add(capability);
    }
    return capabilities;
  }

  private static Optional<String> findValue(List<String> capabilities, String key) {
    return capabilities.stream()
        .filter(c -> c.startsWith(key + "="))
        .map(c -> c.substring(key.length() + 1))
        .findFirst();
  }

  /** Returns whether the line is the {@code push-cert} line that opens a push certificate. */
  private static boolean isPushCertificate(byte[] line, int nul) {
    return latin1(line, 0, nul < 0 ? line.length : nul).equals("push-cert");
  }

  private static ProtocolException pushCertificateRejected(String value) {
    return new ProtocolException(
        "push certificate", value, "an unsigned push, because push certificates are rejected");
  }

  private static String decodeUtf8(String name, byte[] line, int start, int end)
      throws ProtocolException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line, start, end - start))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(name, Arrays.copyOfRange(line, start, end), "valid UTF-8");
    }
  }

  private static String latin1(byte[] line, int start, int end) {
    return new String(line, start, end - start, StandardCharsets.ISO_8859_1);
  }

  private static int indexOf(byte[] line, byte value) {
    for (int i = 0; i < line.length; i++) {
      if (line[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
