package dev.berth.storage;

/** A chunk did not start where the upload currently ends. */
public final class UploadOffsetException extends Exception {
  private final long currentSize;

  public UploadOffsetException(long currentSize) {
    super("upload is at offset " + currentSize);
    this.currentSize = currentSize;
  }

  public long currentSize() {
    return currentSize;
  }
}
