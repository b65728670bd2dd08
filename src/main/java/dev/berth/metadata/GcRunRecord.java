package dev.berth.metadata;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One garbage collection run as kept in history.
 *
 * @param trigger {@code cli}, {@code api} or {@code schedule}
 * @param report the run's report as JSON, once it finished
 * @param owner the process running it, {@code host/pid}; empty for runs recorded before owners were
 * @param heartbeatAt when its owner last said it was still running
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
    Optional<String> log,
    Optional<String> owner,
    Optional<Instant> heartbeatAt) {

  public enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED
  }
}
