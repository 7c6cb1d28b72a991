package dev.gitward.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.StreamSourceConduit;

/** Counts the request body bytes read from the client into {@link GitExchange#bytesIn}. */
final class CountingSourceConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
  private final GitExchange state;

  CountingSourceConduit(StreamSourceConduit next, GitExchange state) {
    super(next);
    this.state = state;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int count = next.read(dst);
    if (count > 0) {
      state.bytesIn += count;
    }
    return count;
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    long count = next.read(dsts, offset, length);
    if (count > 0) {
      state.bytesIn += count;
    }
    return count;
  }

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
      throws IOException {
    return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
  }
}
