package dev.berth.metadata;

import dev.berth.oci.Digest;
import java.time.Instant;

/** A blob the registry holds bytes for. {@code state} is {@link BlobState#LIVE} unless GC is removing it. */
public record BlobRecord(Digest digest, long size, BlobState state, Instant createdAt, Instant touchedAt) {}
