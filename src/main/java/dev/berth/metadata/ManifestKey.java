package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;

/** A manifest is identified by its repository and digest. */
public record ManifestKey(RepositoryName repository, Digest digest) {}
