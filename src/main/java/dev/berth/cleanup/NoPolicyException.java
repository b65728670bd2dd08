package dev.berth.cleanup;

/** A retention run was asked for a namespace that has no policy. */
public final class NoPolicyException extends RuntimeException {
  public NoPolicyException(String namespace) {
    super("namespace " + namespace + " has no policy");
  }
}
