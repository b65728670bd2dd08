package dev.berth.cleanup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Writes items in batches on a thread of its own, at most {@code depth} batches behind the caller
 * that adds them: a run that decides and records its decisions keeps one core on each instead of
 * taking turns, and holds no more than a few batches however many items it makes.
 */
final class BatchWriter<T> implements AutoCloseable {
  private final Consumer<List<T>> write;
  private final int batchSize;
  private final int depth;
  private final ExecutorService writer;
  private final Deque<Future<?>> pending = new ArrayDeque<>();
  private List<T> unwritten = new ArrayList<>();

  BatchWriter(Consumer<List<T>> write, int batchSize, int depth, String threadName) {
    this.write = write;
    this.batchSize = batchSize;
    this.depth = depth;
    this.writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon().factory());
  }

  /**
   * Queues the item, handing a full batch to the writer; waits while {@code depth} batches are
   * already queued.
   *
   * @throws RuntimeException a write's exception, once that write is waited for
   */
  void add(T item) {
    unwritten.add(item);
    if (unwritten.size() >= batchSize) {
      submit();
    }
  }

  /**
   * Writes what is left as a batch (an empty one too: a write may carry more than its items, as a
   * run's heartbeat) and waits for every write.
   *
   * @throws RuntimeException the first failed write's exception
   */
  void finish() {
    submit();
    while (!pending.isEmpty()) {
      Futures.resultOf(pending.pollFirst(), "a write");
    }
  }

  private void submit() {
    List<T> batch = unwritten;
    unwritten = new ArrayList<>();
    pending.addLast(writer.submit(() -> write.accept(batch)));
    while (pending.size() > depth) {
      Futures.resultOf(pending.pollFirst(), "a write");
    }
  }

  /** Abandons the writes not yet made; {@link #finish} first to make them. */
  @Override
  public void close() {
    writer.shutdownNow();
  }
}
