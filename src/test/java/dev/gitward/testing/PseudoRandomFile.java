package dev.gitward.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Files of deterministic, incompressible content, so a blob of N bytes also costs N bytes on the
 * wire. The same size and seed always give the same bytes and so the same blob id.
 */
public final class PseudoRandomFile {
  private static final int BUFFER_BYTES = 64 * 1024;

  private PseudoRandomFile() {}

  /** Writes {@code size} bytes to {@code file} in 64 KiB steps, so memory use does not grow. */
  public static void write(Path file, long size, long seed) {
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
    }
    SplittableRandom random = new SplittableRandom(seed);
    byte[] buffer = new byte[BUFFER_BYTES];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long remaining = size; remaining > 0; ) {
        int length = (int) Math.min(buffer.length, remaining);
        fill(random, buffer, length);
        out.write(buffer, 0, length);
        remaining -= length;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing pseudo-random content failed: " + file, e);
    }
  }

  private static void fill(SplittableRandom random, byte[] buffer, int length) {
    for (int i = 0; i < length; i += Long.BYTES) {
      long bits = random.nextLong();
      for (int j = i; j < Math.min(i + Long.BYTES, length); j++) {
        buffer[j] = (byte) bits;
        bits >>>= 8;
      }
    }
  }
}
