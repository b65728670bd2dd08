package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;

/** A repository's permission to see a blob. */
public record BlobLink(RepositoryName repository, Digest digest) {}
