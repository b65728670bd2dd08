package dev.berth.metadata;

/** The metadata database failed: unreachable, misconfigured, or it refused a statement. */
public final class MetadataException extends RuntimeException {
  public MetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
