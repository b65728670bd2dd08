package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.Tag;
import java.util.List;

/** Outcome of deleting a manifest by digest. */
public sealed interface ManifestDeletion {

  /** The repository held no such manifest. */
  record NotFound() implements ManifestDeletion {}

  /** Refused: these indexes in the same repository still list the manifest. Nothing changed. */
  record StillReferenced(List<Digest> parents) implements ManifestDeletion {}

  /** The manifest and these tags, which pointed at it, are gone. */
  record Deleted(List<Tag> removedTags) implements ManifestDeletion {}
}
