package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.sql.PostgresDigestGuard;
import dev.berth.metadata.StoredManifest;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistrySettings;
import dev.berth.storage.BlobContent;
import dev.berth.storage.BlobStore;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.MutableClock;
import dev.berth.testing.OnPostgresReplicas;
import dev.berth.testing.SharedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.TestInfo;

/**
 * The registry's use cases and the collector wired to real stores (SQLite, and blobs on the
 * filesystem or on an S3 server whose objects are kept there too) in a temporary directory, with a
 * clock the test moves: the components exactly as the server wires them. Or, for a test class marked
 * {@link OnPostgresReplicas}, as two replicas wire them: the metadata on PostgreSQL, and the registry
 * and the collector each with its own digest guard on it.
 */
final class RegistryFixture implements AutoCloseable {
  static final Duration DAY = Duration.ofHours(24);

  final Path root;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final SqlMetadataStore metadata;
  final BlobStore blobs;
  private final BlobBackend.Opened opened;
  /** The registry's guard; on SQLite also the collector's, as in the one process of that deployment. */
  final DigestGuard registryGuard;
  final DigestGuard collectorGuard;
  private final Optional<String> postgresUrl;
  final Registry registry;
  final GarbageCollector collector;
  private final Random random = new Random(1);

  RegistryFixture(Path root) throws Exception {
    this(root, BlobBackend.FILESYSTEM, false);
  }

  /** Blobs where the test class says ({@link BlobBackend#of}), the metadata too. */
  RegistryFixture(Path root, TestInfo test) throws Exception {
    this(root, BlobBackend.of(test),
        test.getTestClass().filter(c -> c.isAnnotationPresent(OnPostgresReplicas.class)).isPresent());
  }

  private RegistryFixture(Path root, BlobBackend backend, boolean postgresReplicas) throws Exception {
    this.root = root;
    if (postgresReplicas) {
      String url = SharedPostgres.newDatabase();
      this.postgresUrl = Optional.of(url);
      this.metadata = SqlMetadataStore.postgres(url, "postgres", "", 8);
      this.registryGuard = PostgresDigestGuard.open(url, "postgres", "", 4);
      this.collectorGuard = PostgresDigestGuard.open(url, "postgres", "", 2);
    } else {
      this.postgresUrl = Optional.empty();
      this.metadata = SqlMetadataStore.sqlite(root.resolve("metadata.db"));
      this.registryGuard = new InProcessDigestGuard();
      this.collectorGuard = registryGuard;
    }
    this.opened = backend.openStore(root.resolve("blobs"));
    this.blobs = opened.store();
    this.registry = Registry.create(metadata, blobs, registryGuard,
        new RegistrySettings(true, RegistrySettings.DEFAULT_MAX_MANIFEST_BYTES), clock);
    this.collector = new GarbageCollector(metadata.collector(), blobs, collectorGuard, clock);
  }

  /** True once someone waits for {@code digest}'s guard: a thread here, or a session on the database. */
  boolean someoneWaitsFor(Digest digest) throws java.sql.SQLException {
    return postgresUrl.isEmpty() ? lockOf(digest).hasQueuedThreads() : waitingAdvisoryLocks(digest) > 0;
  }

  /** True while someone holds the guard of one of {@code digests} (on PostgreSQL: of any digest). */
  boolean someoneHoldsAnyOf(java.util.Collection<Digest> digests) throws java.sql.SQLException {
    if (postgresUrl.isEmpty()) {
      return digests.stream().anyMatch(digest -> lockOf(digest).isLocked());
    }
    try (java.sql.Connection c = SharedPostgres.connect(postgresUrl.get());
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet result = s.executeQuery(SharedPostgres.COUNT_ADVISORY_LOCKS)) {
      result.next();
      return result.getLong(1) > 0;
    }
  }

  private java.util.concurrent.locks.ReentrantLock lockOf(Digest digest) {
    return ((InProcessDigestGuard) registryGuard).of(digest);
  }

  private long waitingAdvisoryLocks(Digest digest) throws java.sql.SQLException {
    try (java.sql.Connection c = SharedPostgres.connect(postgresUrl.orElseThrow());
        java.sql.PreparedStatement locks = c.prepareStatement(SharedPostgres.COUNT_ADVISORY_LOCKS
            + " AND NOT granted AND objid = ?::bigint::oid")) {
      locks.setLong(1, Integer.toUnsignedLong(Integer.parseUnsignedInt(digest.hex().substring(0, 8), 16)));
      try (java.sql.ResultSet result = locks.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  static RepositoryName repo(String name) {
    return RepositoryName.of(name);
  }

  byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  Digest pushBlob(RepositoryName repository, byte[] content) throws IOException {
    Digest digest = Digest.sha256(content);
    registry.uploads().putMonolithic(repository, digest, new ByteArrayInputStream(content));
    return digest;
  }

  /** An image of a config and the given layers, already pushed as blobs. */
  static byte[] imageManifest(Digest config, List<Digest> layers, Optional<Digest> subject, String artifactType) {
    StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",");
    if (artifactType != null) {
      json.append("\"artifactType\":\"").append(artifactType).append("\",");
    }
    json.append("\"config\":").append(descriptor("application/vnd.oci.image.config.v1+json", config, 1)).append(",\"layers\":[");
    for (int i = 0; i < layers.size(); i++) {
      json.append(i == 0 ? "" : ",").append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layers.get(i), 1));
    }
    json.append("]");
    subject.ifPresent(s -> json.append(",\"subject\":").append(descriptor("application/vnd.oci.image.manifest.v1+json", s, 1)));
    return json.append("}").toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] index(List<Digest> children) {
    StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
    for (int i = 0; i < children.size(); i++) {
      json.append(i == 0 ? "" : ",").append(descriptor("application/vnd.oci.image.manifest.v1+json", children.get(i), 1));
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String descriptor(String mediaType, Digest digest, long size) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
  }

  /** Pushes fresh config + layers and the image manifest under {@code tag} (or by digest when null). */
  Digest pushImage(RepositoryName repository, String tag, List<Digest> sharedLayers) throws IOException {
    Digest config = pushBlob(repository, randomBytes(200));
    List<Digest> layers = new ArrayList<>(sharedLayers);
    layers.add(pushBlob(repository, randomBytes(5_000)));
    return putManifest(repository, tag, imageManifest(config, layers, Optional.empty(), null));
  }

  Digest putManifest(RepositoryName repository, String tag, byte[] manifest) {
    Digest digest = Digest.sha256(manifest);
    Reference reference = tag == null ? new Reference.ByDigest(digest) : Reference.parse(tag);
    registry.manifests().put(repository, reference, Optional.empty(), manifest, "alice");
    return digest;
  }

  Collected gc(boolean deleteUntagged, Duration grace) throws IOException {
    return Collected.run(collector, new GcOptions(false, deleteUntagged, grace, Duration.ofDays(7)));
  }

  /** Pulls like a client: the manifest, then (recursively for an index) every blob, verifying every byte. */
  void assertPulls(RepositoryName repository, String reference) throws IOException {
    StoredManifest stored = registry.manifests().get(repository, Reference.parse(reference));
    assertThat(Digest.sha256(stored.payload())).isEqualTo(stored.digest());
    Manifest manifest = ManifestParser.parse(stored.payload(), Optional.of(stored.mediaType()));
    for (Descriptor child : manifest.manifests()) {
      assertPulls(repository, child.digest().toString());
    }
    for (Descriptor blob : manifest.referencedBlobs()) {
      BlobContent content = registry.blobs().open(repository, blob.digest());
      try (InputStream in = content.openRange(0, content.size())) {
        assertThat(Digest.sha256(in.readAllBytes())).as("blob %s of %s", blob.digest(), reference).isEqualTo(blob.digest());
      }
    }
  }

  boolean blobBytesExist(Digest digest) throws IOException {
    return blobs.stat(digest).isPresent();
  }

  @Override
  public void close() throws Exception {
    try (opened; metadata; registryGuard; collectorGuard) {
      // Closed in reverse order.
    }
  }
}
