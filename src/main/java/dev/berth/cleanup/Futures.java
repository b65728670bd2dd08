package dev.berth.cleanup;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** The result of work handed to another thread, its failure thrown as the work threw it. */
final class Futures {
  private Futures() {}

  /**
   * @param waitingFor what the caller waits for, for the message should it be interrupted
   */
  static <V> V resultOf(Future<V> future, String waitingFor) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException unchecked) {
        throw unchecked;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + waitingFor, e);
    }
  }
}
