package dev.berth.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Worker threads that each repeat one step until told to stop, until they have done their maximum
 * number of steps, or until a step says it is done. A failing step ends its worker and is kept for
 * the test to report; nothing is swallowed.
 */
final class Load implements AutoCloseable {
  /** One step of a worker; returns false when the worker has nothing more to do. */
  @FunctionalInterface
  interface Step {
    boolean run(int index) throws Exception;
  }

  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

  boolean stopping() {
    return stopping.get();
  }

  void start(String name, int maxSteps, Step step) {
    Thread thread = Thread.ofPlatform().name(name).start(() -> {
      try {
        for (int i = 0; i < maxSteps && !stopping.get(); i++) {
          if (!step.run(i)) {
            return;
          }
        }
      } catch (Throwable failure) {
        failures.add(new AssertionError(name + " failed: " + failure, failure));
      }
    });
    threads.add(thread);
  }

  /**
   * Lets the workers run until {@code minimumRun} has passed and {@code enoughDone} holds, or until
   * every worker has finished by itself; fails if that has not happened within {@code timeout}.
   */
  void runFor(Duration minimumRun, BooleanSupplier enoughDone, Duration timeout) throws InterruptedException {
    Instant start = Instant.now();
    for (int check = 0; check < 100_000; check++) {
      Duration elapsed = Duration.between(start, Instant.now());
      if (threads.stream().noneMatch(Thread::isAlive)
          || (elapsed.compareTo(minimumRun) >= 0 && enoughDone.getAsBoolean())
          || !failures.isEmpty()) {
        return;
      }
      if (elapsed.compareTo(timeout) > 0) {
        throw new AssertionError("the load made too little progress within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /** Tells every worker to stop after its current step and waits for all of them. */
  void stopAndJoin(Duration timeout) throws InterruptedException {
    stopping.set(true);
    Instant deadline = Instant.now().plus(timeout);
    for (Thread thread : threads) {
      thread.join(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()));
      if (thread.isAlive()) {
        throw new AssertionError(thread.getName() + " did not stop within " + timeout);
      }
    }
  }

  /** Fails with every worker's failure attached. */
  void assertNoFailures() {
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError(failures.size() + " worker(s) failed; first: " + failures.peek());
      failures.forEach(error::addSuppressed);
      throw error;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopAndJoin(Duration.ofSeconds(60));
  }
}
