package dev.berth.adopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.storage.RegistryTree;
import dev.berth.storage.fs.FilesystemRegistryTree;
import dev.berth.testing.DockerRegistryRoot;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryImportTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T03:00:00Z"), ZoneOffset.UTC);
  private static final int MAX_MANIFEST = 4 * 1024 * 1024;

  @TempDir Path dir;

  private Path root() {
    return dir.resolve("root");
  }

  /** Two repositories sharing a layer: a multi-platform image tagged twice, a tagged image, an untagged one. */
  private record Consistent(String amd64, String arm64, String list, String app, String untagged) {
    static Consistent write(DockerRegistryRoot registry) {
      String amd64 = registry.image("library/base", "shared layer", "amd64 layer");
      String arm64 = registry.image("library/base", "shared layer", "arm64 layer");
      String list = registry.index("library/base", amd64, arm64);
      registry.tag("library/base", "1.0", list);
      registry.tag("library/base", "latest", list);
      String app = registry.image("team/app", "shared layer", "app layer");
      registry.tag("team/app", "v1", app);
      String untagged = registry.image("team/app", "shared layer", "old app layer");
      registry.upload("team/app", "3f1b5c8e-0000-4000-8000-000000000001", new byte[] {1, 2, 3});
      return new Consistent(amd64, arm64, list, app, untagged);
    }
  }

  /** A fresh database of that name; the same name opens the same one again. */
  MetadataStore database(String name) {
    return SqlMetadataStore.sqlite(dir.resolve(name));
  }

  private RegistryImport importer(int batch) {
    return new RegistryImport(new FilesystemRegistryTree(root()), MAX_MANIFEST, CLOCK, batch);
  }

  private static class Collecting implements ImportListener {
    final List<Inconsistency> found = new ArrayList<>();

    @Override
    public void inconsistency(Inconsistency inconsistency) {
      found.add(inconsistency);
    }
  }

  @Test
  void recordsEveryRepositoryManifestTagAndLinkOfAConsistentRoot() throws IOException {
    DockerRegistryRoot registry = new DockerRegistryRoot(root());
    Consistent written = Consistent.write(registry);
    Collecting listener = new Collecting();
    try (MetadataStore metadata = database("berth.db")) {
      ImportReport report = importer(RegistryImport.BATCH).run(metadata, listener);

      assertThat(listener.found).isEmpty();
      assertThat(report.repositories()).isEqualTo(2);
      assertThat(report.manifests()).isEqualTo(5);
      assertThat(report.manifestsRecorded()).isEqualTo(5);
      assertThat(report.manifestsByType()).containsEntry(ManifestBuilder.DOCKER_MANIFEST, 4L)
          .containsEntry(ManifestBuilder.OCI_INDEX, 1L);
      assertThat(report.tags()).isEqualTo(3);
      assertThat(report.tagsRecorded()).isEqualTo(3);
      assertThat(report.layerLinks()).isEqualTo(10);
      assertThat(report.uploads()).isEqualTo(1);
      RepositoryName base = RepositoryName.of("library/base");
      RepositoryName app = RepositoryName.of("team/app");
      assertThat(metadata.manifests().resolveTag(base, Tag.of("latest"))).contains(Digest.parse(written.list()));
      assertThat(metadata.manifests().resolveTag(base, Tag.of("1.0"))).contains(Digest.parse(written.list()));
      assertThat(metadata.manifests().resolveTag(app, Tag.of("v1"))).contains(Digest.parse(written.app()));
      assertThat(metadata.manifests().findManifest(app, Digest.parse(written.untagged()))).isPresent();
      assertThat(metadata.manifests().findManifest(base, Digest.parse(written.amd64())).orElseThrow().payload())
          .isEqualTo(Files.readAllBytes(registry.blobData(written.amd64())));
      String shared = Digests.of("shared layer");
      assertThat(metadata.blobs().findLinkedBlob(base, Digest.parse(shared))).isPresent();
      assertThat(metadata.blobs().findLinkedBlob(app, Digest.parse(shared))).isPresent();
    }
  }

  @Test
  void aDryRunReportsWhatARealRunRecordsAndWritesNothing() throws IOException {
    DockerRegistryRoot registry = new DockerRegistryRoot(root());
    Consistent.write(registry);
    List<String> before = files(root());

    ImportReport dry = importer(RegistryImport.BATCH).dryRun(new Collecting());

    assertThat(files(root())).isEqualTo(before);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.blobs()).hasValue(14);
    try (MetadataStore metadata = database("berth.db")) {
      ImportReport real = importer(RegistryImport.BATCH).run(metadata, new Collecting());
      assertThat(dry.manifestsRecorded()).isEqualTo(real.manifestsRecorded()).isEqualTo(5);
      assertThat(dry.tagsRecorded()).isEqualTo(real.tagsRecorded()).isEqualTo(3);
      assertThat(dry.layerLinksRecorded()).isEqualTo(real.layerLinksRecorded()).isEqualTo(10);
      assertThat(dry.summary()).contains("would record 5").contains("uploads in progress: 1");
    }
  }

  @Test
  void aLayerLinkedIntoSeveralRepositoriesIsLookedUpOnce() throws IOException {
    DockerRegistryRoot registry = new DockerRegistryRoot(root());
    Consistent.write(registry);
    Map<Digest, Integer> lookups = new ConcurrentHashMap<>();
    // The second repository's links are read once the first's are, so that neither asks first by a hair.
    CountDownLatch firstLinksRead = new CountDownLatch(1);
    FilesystemRegistryTree files = new FilesystemRegistryTree(root());
    RegistryTree tree = new DelegatingTree(files) {
      @Override
      public void forEachLayerLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
        if (repository.name().equals("team/app")) {
          await(firstLinksRead);
        }
        files.forEachLayerLink(repository, visitor);
        if (repository.name().equals("library/base")) {
          firstLinksRead.countDown();
        }
      }

      @Override
      public Optional<Long> blobSize(Digest digest) throws IOException {
        lookups.merge(digest, 1, Integer::sum);
        return files.blobSize(digest);
      }
    };

    try (MetadataStore metadata = database("berth.db")) {
      ImportReport report = new RegistryImport(tree, MAX_MANIFEST, CLOCK).run(metadata, new Collecting());

      assertThat(report.layerLinksRecorded()).isEqualTo(10);
      Digest shared = Digest.parse(Digests.of("shared layer"));
      assertThat(metadata.blobs().findLinkedBlob(RepositoryName.of("team/app"), shared)).isPresent();
      assertThat(lookups).containsEntry(shared, 1);
      assertThat(lookups.values()).containsOnly(1);
    }
  }

  @Test
  void reportsComeInTheWalksOrderThoughRepositoriesAreReadAtOnce() throws IOException {
    DockerRegistryRoot registry = new DockerRegistryRoot(root());
    Path first = registry.layerLink("a/first", Digests.of("never stored in a"));
    registry.image("a/first", "a layer");
    Path second = registry.layerLink("b/second", Digests.of("never stored in b"));
    registry.image("b/second", "b layer");
    // The first repository's layers are read only once the second is read whole.
    CountDownLatch secondRead = new CountDownLatch(1);
    FilesystemRegistryTree files = new FilesystemRegistryTree(root());
    RegistryTree tree = new DelegatingTree(files) {
      @Override
      public void forEachLayerLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
        if (repository.name().equals("a/first")) {
          await(secondRead);
        }
        files.forEachLayerLink(repository, visitor);
      }

      @Override
      public void forEachRevisionLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
        files.forEachRevisionLink(repository, visitor);
        if (repository.name().equals("b/second")) {
          secondRead.countDown();
        }
      }
    };
    List<Long> repositoriesSeen = new ArrayList<>();
    Collecting listener = new Collecting() {
      @Override
      public void progress(ImportReport soFar) {
        repositoriesSeen.add(soFar.repositories());
      }
    };

    try (MetadataStore metadata = database("berth.db")) {
      ImportReport report = new RegistryImport(tree, MAX_MANIFEST, CLOCK).run(metadata, listener);

      assertThat(secondRead.getCount()).as("read at once").isZero();
      assertThat(listener.found).extracting(Inconsistency::location)
          .containsExactly(first.toString(), second.toString());
      assertThat(repositoriesSeen).isSorted().endsWith(2L);
      assertThat(report.manifestsRecorded()).isEqualTo(2);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      // Bounded, so that an import reading one repository at a time fails the test instead of hanging.
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads a tree through another, for tests that change when it reads what. */
  private abstract static class DelegatingTree implements RegistryTree {
    private final RegistryTree tree;

    DelegatingTree(RegistryTree tree) {
      this.tree = tree;
    }

    @Override
    public boolean exists() {
      return tree.exists();
    }

    @Override
    public void forEachRepository(RepositoryVisitor visitor) throws IOException {
      tree.forEachRepository(visitor);
    }

    @Override
    public void forEachLayerLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
      tree.forEachLayerLink(repository, visitor);
    }

    @Override
    public void forEachRevisionLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
      tree.forEachRevisionLink(repository, visitor);
    }

    @Override
    public void forEachTagLink(RepositoryDirectory repository, LinkVisitor visitor) throws IOException {
      tree.forEachTagLink(repository, visitor);
    }

    @Override
    public void forEachUpload(RepositoryDirectory repository, UploadVisitor visitor) throws IOException {
      tree.forEachUpload(repository, visitor);
    }

    @Override
    public Optional<Long> blobSize(Digest digest) throws IOException {
      return tree.blobSize(digest);
    }

    @Override
    public Optional<byte[]> readBlob(Digest digest, int maxBytes) throws IOException {
      return tree.readBlob(digest, maxBytes);
    }

    @Override
    public long countBlobs() throws IOException {
      return tree.countBlobs();
    }
  }

  @Test
  void eachInconsistencyIsReportedWithItsPathAndHandled() throws IOException {
    DockerRegistryRoot registry = new DockerRegistryRoot(root());
    String good = registry.image("broken", "good layer");
    registry.tag("broken", "good", good);

    Path garbage = registry.layerLink("broken", Digests.of("garbage target"));
    Files.writeString(garbage, "not a digest at all\n\0\0");
    Path layerToNothing = registry.layerLink("broken", Digests.of("never stored"));

    Path revisionToNothing = registry.revisionLink("broken", Digests.of("a manifest never stored"));

    String missingLayer = registry.image("broken", "layer deleted by hand");
    Files.delete(registry.blobData(Digests.of("layer deleted by hand")));
    Path tagOnSkipped = registry.tag("broken", "skipped", missingLayer);

    byte[] unlinkedLayer = "layer stored but never linked here".getBytes(StandardCharsets.UTF_8);
    registry.blob(unlinkedLayer);
    String unlinked = registry.manifest("broken", ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(Descriptor.emptyConfig()).layers(Descriptor.of(ManifestBuilder.OCI_LAYER, unlinkedLayer)).build());
    registry.blob(ManifestBuilder.EMPTY_JSON);
    registry.layerLink("broken", ManifestBuilder.EMPTY_JSON_DIGEST);

    String orphanChild = Digests.of("child manifest never pushed");
    String partialIndex = registry.manifest("broken", ManifestBuilder.index(ManifestBuilder.OCI_INDEX)
        .manifests(Descriptor.of(ManifestBuilder.OCI_MANIFEST, good, 10),
            Descriptor.of(ManifestBuilder.OCI_MANIFEST, orphanChild, 10)).build());

    String schema1 = registry.manifest("broken", """
        {"schemaVersion": 1, "name": "broken", "tag": "old", "fsLayers": [], "history": []}"""
        .getBytes(StandardCharsets.UTF_8));
    String notJson = registry.manifest("broken", "{\"schemaVersion\": 2, oops".getBytes(StandardCharsets.UTF_8));

    Path tagToNothing = registry.tag("broken", "gone", Digests.of("tag target never stored"));
    String blobOnly = registry.blob(ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(Descriptor.emptyConfig()).build());
    Path tagWithoutRevision = registry.tag("broken", "norevision", blobOnly);
    Path badTag = registry.tag("broken", ".hidden", good);
    Path wrongDigest = registry.revisionLink("broken", Digests.of("directory says this"));
    Files.writeString(wrongDigest, good);

    String deletedByDigest = registry.image("broken", "layer of a deleted image");
    Files.delete(registry.revisionLink("broken", deletedByDigest));

    Path emptyRepository = registry.repository("deleted/everything");
    Files.createDirectories(emptyRepository);

    Collecting listener = new Collecting();
    try (MetadataStore metadata = database("berth.db")) {
      ImportReport report = importer(RegistryImport.BATCH).run(metadata, listener);

      assertThat(listener.found).extracting(Inconsistency::kind, Inconsistency::location).containsExactlyInAnyOrder(
          tuple(Inconsistency.Kind.LINK_GARBAGE, garbage.toString()),
          tuple(Inconsistency.Kind.LAYER_BLOB_MISSING, layerToNothing.toString()),
          tuple(Inconsistency.Kind.REVISION_BLOB_MISSING, revisionToNothing.toString()),
          tuple(Inconsistency.Kind.LAYER_BLOB_MISSING,
              registry.layerLink("broken", Digests.of("layer deleted by hand")).toString()),
          tuple(Inconsistency.Kind.MANIFEST_BLOB_MISSING,
              registry.revisionLink("broken", missingLayer).toString()),
          tuple(Inconsistency.Kind.TAG_MANIFEST_MISSING, tagOnSkipped.toString()),
          tuple(Inconsistency.Kind.MANIFEST_BLOB_UNLINKED,
              registry.revisionLink("broken", unlinked).toString()),
          tuple(Inconsistency.Kind.INDEX_CHILD_MISSING,
              registry.revisionLink("broken", partialIndex).toString()),
          tuple(Inconsistency.Kind.SCHEMA1,
              registry.revisionLink("broken", schema1).toString()),
          tuple(Inconsistency.Kind.MANIFEST_INVALID,
              registry.revisionLink("broken", notJson).toString()),
          tuple(Inconsistency.Kind.TAG_BLOB_MISSING, tagToNothing.toString()),
          tuple(Inconsistency.Kind.TAG_MANIFEST_MISSING, tagWithoutRevision.toString()),
          tuple(Inconsistency.Kind.INVALID_NAME, badTag.toString()),
          tuple(Inconsistency.Kind.LINK_GARBAGE, wrongDigest.toString()),
          tuple(Inconsistency.Kind.EMPTY_REPOSITORY, emptyRepository.toString()));
      assertThat(listener.found).filteredOn(i -> i.kind() == Inconsistency.Kind.INDEX_CHILD_MISSING)
          .singleElement().extracting(Inconsistency::line).asString().contains(orphanChild).doesNotContain(good);

      RepositoryName broken = RepositoryName.of("broken");
      assertThat(metadata.manifests().listTags(broken, Optional.empty(), 100)).containsExactly(Tag.of("good"));
      assertThat(metadata.manifests().findManifest(broken, Digest.parse(unlinked))).isPresent();
      assertThat(metadata.blobs().findLinkedBlob(broken, Digest.parse(Digests.of(unlinkedLayer)))).isPresent();
      for (String skipped : List.of(missingLayer, partialIndex, schema1, notJson)) {
        assertThat(metadata.manifests().findManifest(broken, Digest.parse(skipped))).as(skipped).isEmpty();
      }
      assertThat(metadata.blobs().findLinkedBlob(broken, Digest.parse(Digests.of("never stored")))).isEmpty();
      assertThat(report.manifestsByType()).containsEntry("schema 1", 1L);
      assertThat(report.deletedLinks()).isEqualTo(1);
      assertThat(metadata.manifests().findManifest(broken, Digest.parse(deletedByDigest))).isEmpty();
      assertThat(report.summary()).contains("Docker schema 1 manifest: 1 (skipped: Berth does not serve schema 1)");
    }
  }

  @Test
  void aSecondRunAndARunAfterAnInterruptedOneEndWithTheSameMetadata() throws IOException {
    DockerRegistryRoot registry = new DockerRegistryRoot(root());
    Consistent.write(registry);
    for (int i = 0; i < 20; i++) {
      registry.tag("many/images", "t" + i, registry.image("many/images", "shared layer", "layer " + i));
    }
    TreeMap<String, String> once;
    try (MetadataStore metadata = database("once.db")) {
      assertThat(importer(RegistryImport.BATCH).run(metadata, new Collecting()).indexing())
          .as("an empty store is indexed after the load").isPresent();
      once = dump(metadata);
      assertThat(importer(RegistryImport.BATCH).run(metadata, new Collecting()).indexing())
          .as("a store with images keeps its indexes").isEmpty();
      assertThat(dump(metadata)).isEqualTo(once);
    }
    assertThat(indexesLeftToBuild("once.db")).isEmpty();
    assertThat(once).hasSizeGreaterThan(50);

    try (MetadataStore metadata = database("interrupted.db")) {
      ImportListener dies = new Collecting() {
        @Override
        public void progress(ImportReport soFar) {
          if (soFar.repositories() == 2) {
            throw new IllegalStateException("killed");
          }
        }
      };
      assertThatThrownBy(() -> importer(3).run(metadata, dies)).hasMessage("killed");
      TreeMap<String, String> partial = dump(metadata);
      assertThat(partial).isNotEmpty().isNotEqualTo(once);
      assertThat(indexesLeftToBuild("interrupted.db")).contains("manifest_blobs_by_blob");
      assertThat(importer(3).run(metadata, new Collecting()).indexing()).isPresent();
      assertThat(dump(metadata)).isEqualTo(once);
    }
    assertThat(indexesLeftToBuild("interrupted.db")).isEmpty();
  }

  /** The indexes an import deferred and has not built yet, read from the database itself. */
  private List<String> indexesLeftToBuild(String database) {
    try (Connection c = connect(database);
        ResultSet rows = c.createStatement().executeQuery("SELECT name FROM deferred_indexes")) {
      List<String> names = new ArrayList<>();
      while (rows.next()) {
        names.add(rows.getString(1));
      }
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plain connection to the database {@link #database} opens by that name. */
  Connection connect(String name) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(name));
  }

  /** Every repository's tags, manifests and blob links, as the registry would serve them. */
  private TreeMap<String, String> dump(MetadataStore metadata) throws IOException {
    TreeMap<String, String> state = new TreeMap<>();
    for (RepositoryName repository : metadata.manifests().listRepositories(Optional.empty(), 1000)) {
      for (Tag tag : metadata.manifests().listTags(repository, Optional.empty(), 1000)) {
        state.put(repository + ":" + tag, metadata.manifests().resolveTag(repository, tag).orElseThrow().toString());
      }
    }
    try (Stream<Path> files = Files.walk(root().resolve("docker/registry/v2/blobs"))) {
      for (Path data : files.filter(p -> p.getFileName().toString().equals("data")).toList()) {
        Digest digest = Digest.parse("sha256:" + data.getParent().getFileName());
        for (RepositoryName repository : metadata.manifests().listRepositories(Optional.empty(), 1000)) {
          metadata.manifests().findManifest(repository, digest)
              .ifPresent(m -> state.put(repository + "@" + digest, m.mediaType().value()));
          metadata.blobs().findLinkedBlob(repository, digest)
              .ifPresent(b -> state.put(repository + " blob " + digest, Long.toString(b.size())));
        }
      }
    }
    return state;
  }

  private static List<String> files(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.map(Path::toString).sorted().toList();
    }
  }

  private static final class Digests {
    static String of(String content) {
      return of(content.getBytes(StandardCharsets.UTF_8));
    }

    static String of(byte[] content) {
      return dev.berth.testing.Digests.sha256(content);
    }
  }
}
