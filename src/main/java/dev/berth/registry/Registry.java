package dev.berth.registry;

import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.MetadataStore;
import dev.berth.storage.BlobStore;
import java.time.Clock;

/**
 * The registry's use cases, wired to one metadata store and one blob store. {@code pulls} buffers
 * pull times; whoever starts the registry also starts and closes it.
 */
public record Registry(Blobs blobs, Uploads uploads, Manifests manifests, Listings listings, PullRecorder pulls) {

  public static Registry create(MetadataStore metadata, BlobStore store, DigestGuard guard,
      RegistrySettings settings, Clock clock) {
    Deletes deletes = new Deletes(settings, clock);
    CachedReads reads = new CachedReads(metadata);
    PullRecorder pulls = new PullRecorder(metadata.manifests(), clock);
    return new Registry(
        new Blobs(metadata, reads, store, deletes),
        new Uploads(metadata.blobs(), store, guard, clock),
        new Manifests(metadata, reads, settings, deletes, pulls, new PolicyLookup(metadata.policies()), clock),
        new Listings(metadata.manifests()),
        pulls);
  }
}
