package dev.gitward.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The status and header lines that a CGI program writes before its body, as RFC 3875 section 6
 * defines them.
 *
 * @param status the code from the {@code Status:} line, or 200 when there is none
 * @param headers the other header lines in the order written
 */
record CgiResponseHead(int status, List<Header> headers) {
  /** The maximum size of the header block, a limit that the fixture chose. */
  static final int MAX_BYTES = 64 * 1024;

  CgiResponseHead {
    headers = List.copyOf(headers);
  }

  /** One header line of a CGI response. */
  record Header(String name, String value) {}

  /**
   * Reads header lines up to the first empty line and leaves {@code in} at the first body byte.
   * Lines may end with CRLF or LF.
   *
   * @return the head, or empty when the program closed its output before the empty line
   * @throws IOException when reading fails or a line is malformed
   */
  static Optional<CgiResponseHead> read(InputStream in) throws IOException {
    int status = 200;
    List<Header> headers = new ArrayList<>();
    int remaining = MAX_BYTES;
    while (true) {
      Optional<String> line = readLine(in, remaining);
      if (line.isEmpty()) {
        return Optional.empty();
      }
      String text = line.get();
      remaining -= text.length() + 1;
      if (text.isEmpty()) {
        return Optional.of(new CgiResponseHead(status, headers));
      }
      Header header = parseHeader(text);
      if (header.name().equalsIgnoreCase("Status")) {
        status = parseStatus(header.value());
      } else {
        headers.add(header);
      }
    }
  }

  private static Optional<String> readLine(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return Optional.of(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
      }
      if (line.size() >= limit) {
        throw new IOException("CGI header block: over " + MAX_BYTES + " bytes");
      }
      line.write(b);
    }
    return Optional.empty();
  }

  private static Header parseHeader(String line) throws IOException {
    int colon = line.indexOf(':');
    if (colon <= 0) {
      throw new IOException("CGI header line: " + line + " (expected: Name: value)");
    }
    return new Header(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
  }

  private static int parseStatus(String value) throws IOException {
    String code = value.length() >= 3 ? value.substring(0, 3) : value;
    try {
      int status = Integer.parseInt(code);
      if (status >= 100 && status <= 599) {
        return status;
      }
    } catch (NumberFormatException e) {
      // Reported below with the value.
    }
    throw new IOException("CGI Status: " + value + " (expected: a code from 100 to 599)");
  }
}
