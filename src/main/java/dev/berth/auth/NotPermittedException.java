package dev.berth.auth;

/**
 * An administrative change or view the principal may not make. {@code hidden}: the principal may
 * not even know the namespace exists, so the answer must be the one for a namespace that does not
 * (404), never a refusal (403) that would confirm it.
 */
public final class NotPermittedException extends RuntimeException {
  private final boolean hidden;

  NotPermittedException(String message, boolean hidden) {
    super(message, null, false, false);
    this.hidden = hidden;
  }

  public boolean hidden() {
    return hidden;
  }
}
