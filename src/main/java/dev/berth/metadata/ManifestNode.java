package dev.berth.metadata;

import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.Optional;

/** What the collector needs to know of one manifest to decide whether it is reachable. */
public record ManifestNode(Digest digest, long size, Instant createdAt, boolean tagged, Optional<Digest> subject) {}
