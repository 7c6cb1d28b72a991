package dev.gitward.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** Reads the head of a 1000-command push: the raw pkt-lines, and the full grammar. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReceivePackParseBenchmark {
  private static final int COMMANDS = 1000;

  private byte[] body;
  private ProtocolLimits limits;

  @Setup
  public void setUp() {
    body = PushBodies.commands(COMMANDS);
    limits = ProtocolLimits.defaults();
  }

  /** Reads every pkt-line up to the flush with {@link PacketLineIn}. */
  @Benchmark
  public void readPacketLines(Blackhole blackhole) throws IOException, ProtocolException {
    PacketLineIn in = new PacketLineIn(new ByteArrayInputStream(body), limits);
    Packet packet = in.readPacket();
    while (packet.type() != Packet.Type.FLUSH) {
      blackhole.consume(packet);
      packet = in.readPacket();
    }
  }

  /** Parses the commands, ref names and capabilities with the request parser. */
  @Benchmark
  public ReceivePackBody parseRequest() throws IOException, ProtocolException {
    return ReceivePackRequestParser.parse(new ByteArrayInputStream(body), limits);
  }
}
