package dev.berth.metadata;

import dev.berth.oci.Digest;
import java.util.Collection;

/**
 * The per-digest guard between an upload's commit and the collector's deletion of the same digest
 * (docs/design.md, "The per-digest guard"). An upload holds its digest from putting the verified
 * bytes in place to recording their row; the collector holds a batch of digests from marking their
 * rows {@code deleting} to deleting those rows after the bytes. Whoever holds a digest excludes every
 * other holder of it, in every process of the deployment that shares the guard.
 */
public interface DigestGuard extends AutoCloseable {

  /** Waits until no one else holds {@code digest}, then holds it until the answer is closed. */
  Held hold(Digest digest);

  /**
   * For a run that holds batch after batch (the collector): its holds are taken one batch at a
   * time, in an order that no other holder can wait on in a cycle, and on resources reserved for
   * the run when it opens them, so a run holding one batch never waits for what an upload holds
   * while that upload waits for the run.
   */
  Batches batches();

  /** Held digests, let go together. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** A run's holds, from {@link #batches()}; closing it lets go of whatever is still held. */
  interface Batches extends AutoCloseable {
    Held holdAll(Collection<Digest> digests);

    @Override
    void close();
  }

  @Override
  void close();
}
