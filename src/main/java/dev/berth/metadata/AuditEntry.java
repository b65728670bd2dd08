package dev.berth.metadata;

import java.time.Instant;

/** Who did what destructive thing to what, and when. */
public record AuditEntry(String id, Instant at, String actor, String action, String target, String detail) {}
