package dev.berth.gc;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A GC run caught in progress and held there: the test takes the database's write lock right after
 * the server accepted the run, and checks that the run has not finished; from then on it cannot
 * (finishing is a write) until {@link #close()}. SQLite makes the server's writers wait 10 s before
 * they give up, so a run must not be held longer than a moment.
 */
final class HeldRun implements AutoCloseable {
  private final String id;
  private final SqliteWriteLock lock;

  private HeldRun(String id, SqliteWriteLock lock) {
    this.id = id;
    this.lock = lock;
  }

  /**
   * Starts runs with {@code options} until one is caught before it finished, at most {@code
   * attempts} times; the runs that got away are awaited. Empty when none was caught.
   */
  static Optional<HeldRun> start(AdminApi admin, Path database, Map<String, Object> options, int attempts)
      throws Exception {
    for (int attempt = 0; attempt < attempts; attempt++) {
      AdminApi.Start started = admin.start(options);
      if (started.status() != 202) {
        throw new AssertionError("gc run refused: " + started);
      }
      SqliteWriteLock lock = SqliteWriteLock.take(database);
      if (admin.run(started.id()).path("status").asText().equals("running")) {
        return Optional.of(new HeldRun(started.id(), lock));
      }
      lock.close();
      admin.await(started.id());
    }
    return Optional.empty();
  }

  String id() {
    return id;
  }

  /** Lets the run go on. */
  @Override
  public void close() throws Exception {
    lock.close();
  }
}
