package dev.berth.registry;

/** A request the registry refuses, with the spec's code, a message and optional detail. */
public class RegistryException extends RuntimeException {
  private final ErrorCode code;
  private final transient Object detail;

  public RegistryException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public RegistryException(ErrorCode code, String message, Object detail) {
    super(message);
    this.code = code;
    this.detail = detail;
  }

  public ErrorCode code() {
    return code;
  }

  /** Anything JSON-serialisable, or null. */
  public Object detail() {
    return detail;
  }
}
