package dev.berth.storage;

/** The store holds no staged bytes for this upload id. */
public final class NoSuchUploadException extends Exception {
  public NoSuchUploadException(UploadId id) {
    super("no such upload: " + id);
  }
}
