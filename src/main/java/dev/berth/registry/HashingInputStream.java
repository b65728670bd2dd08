package dev.berth.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Feeds every byte read into a {@link RunningHash}, so bytes are hashed as storage consumes them. */
final class HashingInputStream extends FilterInputStream {
  private final RunningHash hash;

  HashingInputStream(InputStream in, RunningHash hash) {
    super(in);
    this.hash = hash;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      hash.update(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n > 0) {
      hash.update(buffer, offset, n);
    }
    return n;
  }

  @Override
  public long skip(long n) {
    return 0;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
