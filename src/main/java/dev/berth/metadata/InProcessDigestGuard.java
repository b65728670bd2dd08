package dev.berth.metadata;

import dev.berth.oci.Digest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The guard of one process: a lock per digest (striped). It is the whole guard of the embedded
 * deployment, where one process serves a data directory and a second one hands its collection to it,
 * and the first step of the shared guard of several processes.
 */
public final class InProcessDigestGuard implements DigestGuard {
  private static final int STRIPES = 1024;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  public InProcessDigestGuard() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** The lock that guards {@code digest} here, shared with the digests of its stripe. */
  public ReentrantLock of(Digest digest) {
    return locks[stripe(digest)];
  }

  private static int stripe(Digest digest) {
    return Math.floorMod(digest.hex().hashCode(), STRIPES);
  }

  @Override
  public Held hold(Digest digest) {
    ReentrantLock lock = of(digest);
    lock.lock();
    return lock::unlock;
  }

  @Override
  public Batches batches() {
    return new Batches() {
      @Override
      public Held holdAll(Collection<Digest> digests) {
        return InProcessDigestGuard.this.holdAll(digests);
      }

      @Override
      public void close() {
        // Each batch lets go of its own stripes.
      }
    };
  }

  /**
   * Locks every digest of a batch. Stripes are taken in index order, and single-digest holders take
   * one stripe only, so no two lockers can wait for each other in a cycle.
   */
  Held holdAll(Collection<Digest> digests) {
    TreeSet<Integer> stripes = new TreeSet<>();
    digests.forEach(d -> stripes.add(stripe(d)));
    List<ReentrantLock> taken = new ArrayList<>(stripes.size());
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

  @Override
  public void close() {
    // Nothing outlives the process.
  }
}
