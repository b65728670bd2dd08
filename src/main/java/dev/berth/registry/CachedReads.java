package dev.berth.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.ChangeListener;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.StoredManifest;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * The three reads every pull repeats (tag to digest, manifest bytes, blob link) served from memory,
 * so that a pull costs no database round trip.
 *
 * <p>Only what the store found is cached. Every entry carries the change counters of its
 * repository (and, for links, of blob retirement) read <em>before</em> the database was asked, and
 * is used only while those counters are unchanged. The store bumps them after each write that
 * takes something away ({@link ChangeListener}), so an entry read before a delete or a tag move
 * can never be served after the write returned; additions need no bump, since nothing cached can
 * contradict them. A store that cannot report every change (PostgreSQL shared by several
 * processes) gets no cache at all.
 */
final class CachedReads implements ChangeListener {
  private static final int STRIPES = 4096;
  private static final long MANIFEST_BYTES = 64L * 1024 * 1024;
  private static final long ENTRIES = 100_000;

  private record TagKey(RepositoryName repository, Tag tag) {}

  private record ContentKey(RepositoryName repository, Digest digest) {}

  private record Stamped<V>(V value, long repositoryEpoch, long blobEpoch) {}

  private final MetadataStore metadata;
  private final boolean enabled;
  /** Change counters per repository, striped: a collision only costs an extra database read. */
  private final AtomicLongArray repositoryEpochs = new AtomicLongArray(STRIPES);
  private final AtomicLong blobEpoch = new AtomicLong();
  private final Cache<TagKey, Stamped<Digest>> tags = Caffeine.newBuilder().maximumSize(ENTRIES).build();
  private final Cache<ContentKey, Stamped<StoredManifest>> manifests = Caffeine.newBuilder()
      .maximumWeight(MANIFEST_BYTES)
      .<ContentKey, Stamped<StoredManifest>>weigher((key, entry) -> entry.value().payload().length)
      .build();
  private final Cache<ContentKey, Stamped<BlobRecord>> links = Caffeine.newBuilder().maximumSize(ENTRIES).build();

  CachedReads(MetadataStore metadata) {
    this.metadata = metadata;
    this.enabled = metadata.subscribe(this);
  }

  Optional<Digest> resolveTag(RepositoryName repository, Tag tag) {
    return read(tags, new TagKey(repository, tag), repository, false, () -> metadata.manifests().resolveTag(repository, tag));
  }

  Optional<StoredManifest> findManifest(RepositoryName repository, Digest digest) {
    return read(manifests, new ContentKey(repository, digest), repository, false,
        () -> metadata.manifests().findManifest(repository, digest));
  }

  Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest) {
    return read(links, new ContentKey(repository, digest), repository, true,
        () -> metadata.blobs().findLinkedBlob(repository, digest));
  }

  private <K, V> Optional<V> read(Cache<K, Stamped<V>> cache, K key, RepositoryName repository,
      boolean retiredWithBlobs, Supplier<Optional<V>> load) {
    if (!enabled) {
      return load.get();
    }
    long repositoryEpoch = repositoryEpochs.get(stripe(repository));
    long blobs = retiredWithBlobs ? blobEpoch.get() : 0;
    Stamped<V> hit = cache.getIfPresent(key);
    if (hit != null && hit.repositoryEpoch() == repositoryEpoch && hit.blobEpoch() == blobs) {
      return Optional.of(hit.value());
    }
    Optional<V> found = load.get();
    found.ifPresentOrElse(
        value -> cache.put(key, new Stamped<>(value, repositoryEpoch, blobs)),
        () -> cache.invalidate(key));
    return found;
  }

  @Override
  public void repositoryChanged(RepositoryName repository) {
    repositoryEpochs.incrementAndGet(stripe(repository));
  }

  @Override
  public void blobsRetired() {
    blobEpoch.incrementAndGet();
  }

  private static int stripe(RepositoryName repository) {
    return Math.floorMod(repository.hashCode(), STRIPES);
  }
}
