package dev.berth.metadata;

import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import java.time.Instant;

/** An open upload session: which repository it pushes into, and when it was started and last used. */
public record UploadRecord(UploadId id, RepositoryName repository, Instant startedAt, Instant updatedAt) {}
