package dev.berth.storage.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Writes a growing file's data to disk in the background while more of it arrives, so that the
 * fsync before the upload's 201 finds little left to write. Without it the whole blob waits in the
 * page cache until that fsync: on this project's test machines, 0.3-0.5 s of a 512 MiB push spent
 * with the network idle (bench/results/findings-20261128-push.md).
 *
 * <p>One flush at a time: a flush still running when the next threshold passes is left to finish,
 * and the next starts once it has. A failed flush fails the upload: Linux may report a writeback
 * error to one fsync only, so the commit's own fsync could succeed over lost data.
 */
final class EarlyWriteback {
  /** Large enough that a flush is worth its journal commit, small enough to overlap most of a push. */
  static final long EVERY = 32L << 20;

  private final FileChannel channel;
  private final Executor flusher;
  private long unflushed;
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

  EarlyWriteback(FileChannel channel, Executor flusher) {
    this.channel = channel;
    this.flusher = flusher;
  }

  void written(long bytes) throws IOException {
    unflushed += bytes;
    if (unflushed < EVERY || !inFlight.isDone()) {
      return;
    }
    await();
    unflushed = 0;
    inFlight = CompletableFuture.runAsync(() -> {
      try {
        channel.force(false);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, flusher);
  }

  /** Waits for the flush in flight before an upload that failed closes its channel. */
  void settle(Exception failure) {
    try {
      await();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /** Waits for the flush in flight; throws if it failed. Must be called before the channel closes. */
  void await() throws IOException {
    try {
      inFlight.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing an upload");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("cannot flush an upload", e.getCause());
    }
  }
}
