package dev.berth.cleanup;

/** Only one collection runs at a time per deployment. */
public final class GcAlreadyRunningException extends RuntimeException {
  public GcAlreadyRunningException() {
    super("a garbage collection is already running");
  }
}
