package dev.berth.storage.s3;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Read-ahead blocks of one size, reused across the GETs of a store, up to {@code capacity} of them
 * kept between uses, so that a GET does not allocate (and the collector reclaim) blocks of its own.
 * Blocks allocated per read cost more in collections than in copying when reads are many: four
 * 512 MiB GETs read as 4 MiB segments, each with fresh blocks, spent 2.4 s in collection pauses of
 * the 160 MiB heap (bench/results/s3-20261207b-vm.md).
 */
final class BlockPool {
  private final int size;
  private final BlockingQueue<byte[]> idle;

  BlockPool(int size, int capacity) {
    this.size = size;
    this.idle = new ArrayBlockingQueue<>(capacity);
  }

  byte[] take() {
    byte[] block = idle.poll();
    return block != null ? block : new byte[size];
  }

  /** Keeps the block for the next reader unless enough are kept already. */
  void give(byte[] block) {
    idle.offer(block);
  }
}
