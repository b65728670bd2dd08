package dev.berth.server;

/**
 * Why a deployment could not be opened or served, in one line an operator can act on: the message
 * names the setting or path and the cause, never a stack trace.
 */
public final class StartFailure extends Exception {
  public enum Reason {
    /** The HTTP address is taken by another process. */
    ADDRESS_IN_USE,
    /** Another berth process serves (or collects in) the data directory. */
    DIRECTORY_IN_USE,
    /** The data directory cannot be created or written. */
    DIRECTORY_UNUSABLE,
    /** The metadata database cannot be opened or migrated. */
    DATABASE_UNUSABLE
  }

  private final Reason reason;

  public StartFailure(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
