package dev.berth.metadata;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One garbage collection run as kept in history.
 *
 * @param trigger {@code cli}, {@code api} or {@code schedule}
 * @param report the run's report as JSON, once it finished
 */
public record GcRunRecord(
    String id,
    String requestedBy,
    String trigger,
    boolean dryRun,
    boolean deleteUntagged,
    Duration grace,
    Status status,
    Instant startedAt,
    Optional<Instant> finishedAt,
    long bytesFreed,
    Optional<String> report,
    Optional<String> log) {

  public enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED
  }
}
