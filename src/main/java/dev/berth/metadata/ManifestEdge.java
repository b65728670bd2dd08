package dev.berth.metadata;

import dev.berth.oci.Digest;

/** An index listing a child manifest, in one repository. */
public record ManifestEdge(Digest parent, Digest child) {}
