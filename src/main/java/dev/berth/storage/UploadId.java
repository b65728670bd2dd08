package dev.berth.storage;

import java.util.UUID;

/**
 * An upload session id. Always a canonical lowercase UUID, so it is safe in URLs and as a path
 * component; anything else a client sends is rejected before it reaches storage.
 */
public record UploadId(String value) {

  public UploadId {
    if (value == null || value.length() != 36) {
      throw new IllegalArgumentException("invalid upload id");
    }
    try {
      if (!UUID.fromString(value).toString().equals(value)) {
        throw new IllegalArgumentException("invalid upload id");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid upload id", e);
    }
  }

  public static UploadId random() {
    return new UploadId(UUID.randomUUID().toString());
  }

  /** Parses client input; empty result when it is not an id Berth could have issued. */
  public static java.util.Optional<UploadId> parse(String text) {
    try {
      return java.util.Optional.of(new UploadId(text));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
