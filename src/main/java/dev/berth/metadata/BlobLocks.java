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
    return locks[stripe(digest)];
  }

  private static int stripe(Digest digest) {
    return Math.floorMod(digest.hex().hashCode(), STRIPES);
  }

  /** Held locks of several digests, released together. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Locks every digest of a batch. Stripes are taken in index order, and single-digest holders take
   * one stripe only, so no two lockers can wait for each other in a cycle.
   */
  public Held lockAll(Iterable<Digest> digests) {
    java.util.TreeSet<Integer> stripes = new java.util.TreeSet<>();
    digests.forEach(d -> stripes.add(stripe(d)));
    java.util.List<ReentrantLock> taken = new java.util.ArrayList<>();
    for (int stripe : stripes) {
      locks[stripe].lock();
      taken.add(locks[stripe]);
    }
    return () -> {
      for (int i = taken.size() - 1; i >= 0; i--) {
        taken.get(i).unlock();
      }
    };
  }
}
