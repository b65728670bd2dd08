package dev.berth.metadata;

import dev.berth.oci.Digest;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per digest (striped) for the steps that must not interleave: an upload's
 * rename-then-record, and GC's mark-delete-bytes-delete-row of the same digest (DESIGN.md, "the trap").
 * In-process: a second process on the same data directory hands its GC to the server instead.
 */
public final class BlobLocks {
  private static final int STRIPES = 1024;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  public BlobLocks() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  public ReentrantLock of(Digest digest) {
    return locks[Math.floorMod(digest.hex().hashCode(), STRIPES)];
  }
}
