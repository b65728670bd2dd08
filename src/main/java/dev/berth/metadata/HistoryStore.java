package dev.berth.metadata;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** History of garbage collection runs, their schedule, and the audit log. */
public interface HistoryStore {

  /**
   * Records a run as running, unless another run is recorded as running: one collection at a time
   * per deployment, whichever process asks. Returns whether it was recorded.
   */
  boolean runStarted(GcRunRecord run);

  void runFinished(String id, GcRunRecord.Status status, Instant finishedAt, long bytesFreed, String report, String log);

  /** Its owner says the run still goes on; a finished run keeps the heartbeat it had. */
  void runHeartbeat(String id, Instant at);

  /** Marks the run failed, appending {@code reason} to its log, if it is still recorded as running; returns 1 then. */
  int failRun(String id, Instant at, String reason);

  /**
   * Appends items a run removed; their {@code seq} numbers continue the run's, from 1. The write need
   * not be durable when this returns, only once a later write of the same store is: a run appends
   * items all along, and its end, recorded by {@link #runFinished}, makes them durable.
   */
  void appendRunItems(String runId, List<GcRunItem> items);

  /** The run's items with {@code seq} greater than {@code afterSeq}, in order, at most {@code limit}. */
  List<GcRunItem> runItems(String runId, long afterSeq, int limit);

  /** Most recent first. */
  List<GcRunRecord> recentRuns(int limit);

  /** Every run still recorded as running, whoever owns it. */
  List<GcRunRecord> runningRuns();

  Optional<GcRunRecord> findRun(String id);

  void audit(AuditEntry entry);

  /** The entries the filter matches, most recent first. */
  List<AuditEntry> audit(AuditFilter filter, int limit);

  /** Most recent first. */
  default List<AuditEntry> recentAudit(int limit) {
    return audit(AuditFilter.ANY, limit);
  }

  /** The schedule last set, or empty when none was: then the configuration's applies. */
  Optional<GcScheduleRecord> gcSchedule();

  /** Replaces the stored schedule. */
  void setGcSchedule(GcScheduleRecord schedule);
}
