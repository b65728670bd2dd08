package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import java.time.Instant;

/** A manifest read back for serving: the bytes exactly as pushed, and their media type. */
public record StoredManifest(Digest digest, MediaType mediaType, byte[] payload, Instant createdAt) {
  public long size() {
    return payload.length;
  }
}
