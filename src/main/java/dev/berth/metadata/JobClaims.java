package dev.berth.metadata;

import java.time.Instant;

/** Who runs each occurrence of a scheduled job, when several processes share the database. */
public interface JobClaims {
  /**
   * Claims the occurrence of {@code job} due at {@code dueAt} for {@code owner}: true for exactly
   * one caller per occurrence, whichever process it is in.
   */
  boolean claim(String job, Instant dueAt, String owner, Instant now);
}
