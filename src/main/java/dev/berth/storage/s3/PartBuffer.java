package dev.berth.storage.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The bytes of one part on their way to the object store: at most {@code capacity} bytes, held in
 * blocks so that filling it never copies what it holds and a small chunk takes little memory.
 */
final class PartBuffer {
  private static final int BLOCK = 1 << 20;

  private final long capacity;
  private final List<byte[]> blocks = new ArrayList<>();
  private long size;

  PartBuffer(long capacity) {
    this.capacity = capacity;
  }

  long size() {
    return size;
  }

  boolean isFull() {
    return size == capacity;
  }

  /** Reads from {@code in} until the buffer is full or the stream ends; returns the bytes read. */
  long fill(InputStream in) throws IOException {
    long before = size;
    while (size < capacity) {
      int offset = (int) (size % BLOCK);
      if (offset == 0 && blocks.size() * (long) BLOCK == size) {
        blocks.add(new byte[(int) Math.min(BLOCK, capacity - size)]);
      }
      byte[] block = blocks.getLast();
      int n = in.read(block, offset, block.length - offset);
      if (n < 0) {
        break;
      }
      size += n;
    }
    return size - before;
  }

  /** The bytes held, as a stream that may be opened again (the SDK re-reads a body it retries). */
  InputStream stream() {
    List<InputStream> parts = new ArrayList<>(blocks.size());
    long left = size;
    for (byte[] block : blocks) {
      int n = (int) Math.min(block.length, left);
      parts.add(new ByteArrayInputStream(block, 0, n));
      left -= n;
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  void clear() {
    blocks.clear();
    size = 0;
  }
}
