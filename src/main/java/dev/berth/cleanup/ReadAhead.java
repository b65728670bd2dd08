package dev.berth.cleanup;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Reads the next items of a list on a thread of its own while the caller works on the current one,
 * at most {@code depth} ahead: a run that reads one repository and then decides it keeps one core
 * on each instead of taking turns.
 */
final class ReadAhead<K, V> implements AutoCloseable {
  private final Iterator<K> keys;
  private final Function<K, V> read;
  private final int depth;
  private final ExecutorService reader;
  private final Deque<Future<V>> pending = new ArrayDeque<>();

  ReadAhead(List<K> keys, Function<K, V> read, int depth, String threadName) {
    this.keys = keys.iterator();
    this.read = read;
    this.depth = depth;
    this.reader = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon().factory());
    fill();
  }

  /** What the read gave for the next key, in the list's order; its exception if it threw one. */
  V next() {
    Future<V> next = pending.pollFirst();
    if (next == null) {
      throw new NoSuchElementException();
    }
    fill();
    return Futures.resultOf(next, "reading ahead");
  }

  private void fill() {
    while (pending.size() < depth && keys.hasNext()) {
      K key = keys.next();
      pending.addLast(reader.submit(() -> read.apply(key)));
    }
  }

  /** Abandons what was read ahead and not taken. */
  @Override
  public void close() {
    pending.forEach(future -> future.cancel(true));
    reader.shutdownNow();
  }
}
