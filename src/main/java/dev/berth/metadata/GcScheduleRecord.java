package dev.berth.metadata;

import java.time.Duration;
import java.time.Instant;

/**
 * The garbage collection schedule as stored: a UNIX cron expression (UTC), whether it runs, and the
 * options of its runs; who set it last, and when.
 */
public record GcScheduleRecord(String cron, boolean enabled, boolean deleteUntagged, Duration grace,
    String updatedBy, Instant updatedAt) {}
