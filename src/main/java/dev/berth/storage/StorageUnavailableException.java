package dev.berth.storage;

import java.io.IOException;

/**
 * The blob store could not be reached or refused to serve (an object store's timeouts, 5xx,
 * throttling), after its client's own retries. Nothing was made visible by the failed call; the
 * request may be repeated later.
 */
public final class StorageUnavailableException extends IOException {
  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
