package dev.berth.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.storage.UploadId;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} must do, run against each real database by a subclass. Each test
 * starts from an empty database.
 */
public abstract class MetadataStoreContract {

  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  protected static final RepositoryName APP = RepositoryName.of("team/app");
  protected static final RepositoryName OTHER = RepositoryName.of("team/other");

  private static final Executor NEW_THREAD = task -> Thread.ofPlatform().daemon().start(task);

  protected MetadataStore store;

  /** Opens a store on this test's database; called again to reopen the same database. */
  protected abstract MetadataStore openStore();

  /** A plain JDBC connection to this test's database, standing in for a second process or for GC. */
  protected abstract Connection openConnection() throws SQLException;

  @BeforeEach
  final void openFreshStore() {
    store = openStore();
  }

  @AfterEach
  final void closeStore() {
    store.close();
  }

  // ---- blobs

  @Test
  void recordBlobCreatesTheBlobItsRepositoryAndTheLink() {
    Digest layer = digest("layer");

    BlobRecord recorded = store.blobs().recordBlob(APP, layer, 42, T0);

    BlobRecord expected = new BlobRecord(layer, 42, BlobState.LIVE, T0, T0);
    assertThat(recorded).isEqualTo(expected);
    assertThat(store.blobs().findBlob(layer)).contains(expected);
    assertThat(store.blobs().findLinkedBlob(APP, layer)).contains(expected);
    assertThat(store.blobs().findLinkedBlob(OTHER, layer)).isEmpty();
    assertThat(store.manifests().repositoryExists(APP)).isTrue();
    assertThat(store.manifests().listRepositories(Optional.empty(), 10)).containsExactly(APP);
  }

  @Test
  void recordingAKnownBlobTouchesItAndLinksItIntoAnotherRepository() {
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0);

    BlobRecord again = store.blobs().recordBlob(OTHER, layer, 42, T0.plusSeconds(60));

    assertThat(again).isEqualTo(new BlobRecord(layer, 42, BlobState.LIVE, T0, T0.plusSeconds(60)));
    assertThat(store.blobs().findLinkedBlob(APP, layer)).isPresent();
    assertThat(store.blobs().findLinkedBlob(OTHER, layer)).contains(again);
  }

  @Test
  void touchedAtNeverMovesBackwards() {
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0.plusSeconds(60));

    store.blobs().recordBlob(APP, layer, 42, T0);

    assertThat(store.blobs().findBlob(layer).orElseThrow().touchedAt()).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void unknownBlobsAreNotFound() {
    assertThat(store.blobs().findBlob(digest("nothing"))).isEmpty();
    assertThat(store.blobs().findLinkedBlob(APP, digest("nothing"))).isEmpty();
  }

  @Test
  void aBlobBeingDeletedIsNotVisibleThroughItsLinks() throws SQLException {
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0);

    markDeleting(layer);

    assertThat(store.blobs().findLinkedBlob(APP, layer)).isEmpty();
    assertThat(store.blobs().findBlob(layer)).hasValueSatisfying(b -> assertThat(b.state()).isEqualTo(BlobState.DELETING));
  }

  @Test
  void recordingFreshBytesRevivesARowAnInterruptedCollectionLeftDeleting() throws SQLException {
    // The caller holds the digest lock and has just renamed verified bytes into place, so the row
    // describes bytes that exist again (see MetadataStore#recordBlob).
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0);
    markDeleting(layer);

    BlobRecord recorded = store.blobs().recordBlob(OTHER, layer, 42, T0.plusSeconds(1));

    assertThat(recorded.state()).isEqualTo(BlobState.LIVE);
    assertThat(store.blobs().findLinkedBlob(OTHER, layer)).isPresent();
  }

  @Test
  void mountLinksABlobTheSourceRepositoryCanSee() {
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0);

    Optional<BlobRecord> mounted = store.blobs().mountBlob(APP, OTHER, layer, T0.plusSeconds(5));

    BlobRecord expected = new BlobRecord(layer, 42, BlobState.LIVE, T0, T0.plusSeconds(5));
    assertThat(mounted).contains(expected);
    assertThat(store.blobs().findLinkedBlob(OTHER, layer)).contains(expected);
    assertThat(store.manifests().listRepositories(Optional.empty(), 10)).containsExactly(APP, OTHER);
  }

  @Test
  void mountFromARepositoryWithoutTheBlobChangesNothing() {
    Digest layer = digest("layer");
    RepositoryName third = RepositoryName.of("third");
    store.blobs().recordBlob(APP, layer, 42, T0);

    assertThat(store.blobs().mountBlob(OTHER, third, layer, T0.plusSeconds(5))).isEmpty();
    assertThat(store.blobs().mountBlob(APP, third, digest("unknown"), T0.plusSeconds(5))).isEmpty();

    assertThat(store.blobs().findLinkedBlob(third, layer)).isEmpty();
    assertThat(store.manifests().repositoryExists(third)).isFalse();
    assertThat(store.manifests().listRepositories(Optional.empty(), 10)).containsExactly(APP);
    assertThat(store.blobs().findBlob(layer).orElseThrow().touchedAt()).isEqualTo(T0);
  }

  @Test
  void mountOfABlobBeingDeletedFails() throws SQLException {
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0);
    markDeleting(layer);

    assertThat(store.blobs().mountBlob(APP, OTHER, layer, T0.plusSeconds(5))).isEmpty();
    assertThat(store.manifests().repositoryExists(OTHER)).isFalse();
  }

  @Test
  void unlinkRemovesOnlyTheLink() {
    Digest layer = digest("layer");
    store.blobs().recordBlob(APP, layer, 42, T0);
    store.blobs().recordBlob(OTHER, layer, 42, T0);

    assertThat(store.blobs().unlinkBlob(APP, layer)).isEqualTo(BlobUnlink.UNLINKED);
    assertThat(store.blobs().unlinkBlob(APP, layer)).isEqualTo(BlobUnlink.NOT_LINKED);

    assertThat(store.blobs().findLinkedBlob(APP, layer)).isEmpty();
    assertThat(store.blobs().findLinkedBlob(OTHER, layer)).isPresent();
    assertThat(store.blobs().findBlob(layer)).isPresent();
  }

  // ---- manifests

  @Test
  void putManifestStoresTheBytesAndTagsThem() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config", "layer"));

    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);

    StoredManifest stored = store.manifests().findManifest(APP, image.digest()).orElseThrow();
    assertThat(stored.digest()).isEqualTo(image.digest());
    assertThat(stored.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(stored.payload()).isEqualTo(image.payload());
    assertThat(stored.size()).isEqualTo(image.size());
    assertThat(stored.createdAt()).isEqualTo(T0);
    assertThat(store.manifests().resolveTag(APP, Tag.of("v1"))).contains(image.digest());
    assertThat(store.manifests().tagsOf(APP, image.digest())).containsExactly(Tag.of("v1"));
    assertThat(store.manifests().findManifest(OTHER, image.digest())).isEmpty();
  }

  @Test
  void putManifestWithoutATagStoresItUntagged() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config"));

    store.manifests().putManifest(image, Optional.empty(), T0);

    assertThat(store.manifests().findManifest(APP, image.digest())).isPresent();
    assertThat(store.manifests().tagsOf(APP, image.digest())).isEmpty();
    assertThat(store.manifests().listTags(APP, Optional.empty(), 10)).isEmpty();
  }

  @Test
  void puttingTheSameManifestAgainIsIdempotentAndCanAddTags() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config", "layer"));
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);

    store.manifests().putManifest(image, Optional.of(Tag.of("latest")), T0.plusSeconds(60));
    store.manifests().putManifest(image, Optional.empty(), T0.plusSeconds(120));

    StoredManifest stored = store.manifests().findManifest(APP, image.digest()).orElseThrow();
    assertThat(stored.payload()).isEqualTo(image.payload());
    assertThat(stored.createdAt()).isEqualTo(T0);
    assertThat(store.manifests().tagsOf(APP, image.digest())).containsExactly(Tag.of("latest"), Tag.of("v1"));
  }

  @Test
  void aTagMovesToTheManifestLastPushedWithIt() throws Exception {
    ManifestRecord first = image(APP, "first", blobs(APP, "config"));
    ManifestRecord second = image(APP, "second", blobs(APP, "config"));
    store.manifests().putManifest(first, Optional.of(Tag.of("latest")), T0);

    store.manifests().putManifest(second, Optional.of(Tag.of("latest")), T0.plusSeconds(1));

    assertThat(store.manifests().resolveTag(APP, Tag.of("latest"))).contains(second.digest());
    assertThat(store.manifests().tagsOf(APP, first.digest())).isEmpty();
    assertThat(store.manifests().tagsOf(APP, second.digest())).containsExactly(Tag.of("latest"));
    assertThat(store.manifests().findManifest(APP, first.digest())).isPresent();
  }

  @Test
  void aKeptTagIsWrittenWhenNewOrOnTheSameManifestAndStaysWhenOnAnother() throws Exception {
    ManifestRecord first = image(APP, "first", blobs(APP, "config"));
    ManifestRecord second = image(APP, "second", blobs(APP, "config"));
    Tag release = Tag.of("v1.0.0");

    assertThat(store.manifests().putManifestKeepingTag(first, release, T0)).isEmpty();
    assertThat(store.manifests().putManifestKeepingTag(first, release, T0.plusSeconds(1))).isEmpty();
    assertThat(store.manifests().putManifestKeepingTag(second, release, T0.plusSeconds(2))).contains(first.digest());

    assertThat(store.manifests().resolveTag(APP, release)).contains(first.digest());
    assertThat(store.manifests().tagsOf(APP, second.digest())).isEmpty();
  }

  @Test
  void ofConcurrentPushesKeepingANewTagExactlyOneTakesIt() throws Exception {
    int threads = 8;
    List<Digest> config = blobs(APP, "config");
    Tag release = Tag.of("v1.0.0");
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Optional<Digest>>> pushes = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ManifestRecord image = image(APP, "racer-" + t, config);
        pushes.add(pool.submit(() -> {
          start.await();
          return store.manifests().putManifestKeepingTag(image, release, T0);
        }));
      }
      List<Optional<Digest>> answers = new ArrayList<>();
      for (Future<Optional<Digest>> push : pushes) {
        answers.add(push.get(2, TimeUnit.MINUTES));
      }

      Digest winner = store.manifests().resolveTag(APP, release).orElseThrow();
      assertThat(answers).filteredOn(Optional::isEmpty).hasSize(1);
      assertThat(answers).filteredOn(Optional::isPresent).hasSize(threads - 1).allSatisfy(a -> assertThat(a).contains(winner));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aManifestWithMissingBlobsIsRefusedAndNothingIsWritten() {
    RepositoryName fresh = RepositoryName.of("fresh");
    List<Digest> linked = blobs(APP, "config");
    Digest elsewhere = digest("elsewhere");
    store.blobs().recordBlob(OTHER, elsewhere, 1, T0);
    Digest unknown = digest("unknown");
    List<Digest> named = List.of(linked.get(0), elsewhere, unknown, unknown);

    MissingReferencesException inApp = catchThrowableOfType(MissingReferencesException.class,
        () -> store.manifests().putManifest(image(APP, "v1", named), Optional.of(Tag.of("v1")), T0));
    MissingReferencesException inFresh = catchThrowableOfType(MissingReferencesException.class,
        () -> store.manifests().putManifest(image(fresh, "v1", List.of(unknown)), Optional.of(Tag.of("v1")), T0));

    assertThat(inApp.blobs()).containsExactly(elsewhere, unknown);
    assertThat(inApp.manifests()).isEmpty();
    assertThat(inFresh.blobs()).containsExactly(unknown);
    assertThat(store.manifests().findManifest(APP, image(APP, "v1", named).digest())).isEmpty();
    assertThat(store.manifests().listTags(APP, Optional.empty(), 10)).isEmpty();
    assertThat(store.manifests().repositoryExists(fresh)).isFalse();
    assertThat(store.manifests().listRepositories(Optional.empty(), 10)).containsExactly(APP, OTHER);
  }

  @Test
  void aRefusedManifestGoesInOnceItsBlobsDo() throws Exception {
    Digest late = digest("late");
    ManifestRecord image = image(APP, "v1", List.of(blobs(APP, "config").getFirst(), late));
    assertThatThrownBy(() -> store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0))
        .isInstanceOf(MissingReferencesException.class);

    store.blobs().recordBlob(APP, late, 4, T0);
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);

    assertThat(store.manifests().resolveTag(APP, Tag.of("v1"))).contains(image.digest());
  }

  @Test
  void aManifestNamingABlobBeingDeletedIsRefused() throws SQLException {
    List<Digest> named = blobs(APP, "config", "layer");
    markDeleting(named.get(1));

    assertThatThrownBy(() -> store.manifests().putManifest(image(APP, "v1", named), Optional.empty(), T0))
        .isInstanceOfSatisfying(MissingReferencesException.class,
            e -> assertThat(e.blobs()).containsExactly(named.get(1)));
    assertThat(store.manifests().findManifest(APP, image(APP, "v1", named).digest())).isEmpty();
  }

  @Test
  void anIndexNeedsItsChildrenInTheSameRepository() throws Exception {
    ManifestRecord amd64 = image(APP, "amd64", blobs(APP, "config"));
    ManifestRecord arm64 = image(OTHER, "arm64", blobs(OTHER, "config"));
    store.manifests().putManifest(amd64, Optional.empty(), T0);
    store.manifests().putManifest(arm64, Optional.empty(), T0);
    ManifestRecord index = index(APP, "index", amd64.digest(), arm64.digest());

    MissingReferencesException refused = catchThrowableOfType(MissingReferencesException.class,
        () -> store.manifests().putManifest(index, Optional.of(Tag.of("latest")), T0));

    assertThat(refused.blobs()).isEmpty();
    assertThat(refused.manifests()).containsExactly(arm64.digest());
    assertThat(store.manifests().findManifest(APP, index.digest())).isEmpty();
    assertThat(store.manifests().resolveTag(APP, Tag.of("latest"))).isEmpty();
  }

  @Test
  void deletingAManifestRemovesAllItsTagsAndNothingElse() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config", "layer"));
    ManifestRecord other = image(APP, "v2", blobs(APP, "config"));
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);
    store.manifests().putManifest(image, Optional.of(Tag.of("latest")), T0);
    store.manifests().putManifest(image, Optional.of(Tag.of("Stable")), T0);
    store.manifests().putManifest(other, Optional.of(Tag.of("v2")), T0);

    ManifestDeletion deletion = store.manifests().deleteManifest(APP, image.digest());

    assertThat(deletion).isEqualTo(deleted("Stable", "latest", "v1"));
    assertThat(store.manifests().findManifest(APP, image.digest())).isEmpty();
    assertThat(store.manifests().resolveTag(APP, Tag.of("latest"))).isEmpty();
    assertThat(store.manifests().tagsOf(APP, image.digest())).isEmpty();
    assertThat(store.manifests().listTags(APP, Optional.empty(), 10)).containsExactly(Tag.of("v2"));
    assertThat(store.manifests().findManifest(APP, other.digest())).isPresent();
    assertThat(store.blobs().findLinkedBlob(APP, image.blobs().get(1))).as("blobs are GC's business").isPresent();
    assertThat(store.manifests().deleteManifest(APP, image.digest())).isEqualTo(new ManifestDeletion.NotFound());
  }

  @Test
  void aManifestCanBePushedAgainAfterItWasDeleted() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config"));
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);
    store.manifests().deleteManifest(APP, image.digest());

    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0.plusSeconds(9));

    assertThat(store.manifests().findManifest(APP, image.digest()).orElseThrow().createdAt()).isEqualTo(T0.plusSeconds(9));
    assertThat(store.manifests().resolveTag(APP, Tag.of("v1"))).contains(image.digest());
  }

  @Test
  void deletingAnUnknownManifestFindsNothing() {
    assertThat(store.manifests().deleteManifest(APP, digest("nothing"))).isEqualTo(new ManifestDeletion.NotFound());
  }

  @Test
  void aManifestAnIndexStillListsIsNotDeleted() throws Exception {
    ManifestRecord amd64 = image(APP, "amd64", blobs(APP, "config"));
    ManifestRecord arm64 = image(APP, "arm64", blobs(APP, "config"));
    store.manifests().putManifest(amd64, Optional.of(Tag.of("amd64")), T0);
    store.manifests().putManifest(arm64, Optional.empty(), T0);
    ManifestRecord index = index(APP, "index", amd64.digest(), arm64.digest());
    ManifestRecord otherIndex = index(APP, "other-index", amd64.digest());
    store.manifests().putManifest(index, Optional.of(Tag.of("latest")), T0);
    store.manifests().putManifest(otherIndex, Optional.empty(), T0);

    ManifestDeletion refused = store.manifests().deleteManifest(APP, amd64.digest());

    List<Digest> parents = new ArrayList<>(List.of(index.digest(), otherIndex.digest()));
    parents.sort(null);
    assertThat(refused).isEqualTo(new ManifestDeletion.StillReferenced(parents));
    assertThat(store.manifests().findManifest(APP, amd64.digest())).isPresent();
    assertThat(store.manifests().resolveTag(APP, Tag.of("amd64"))).contains(amd64.digest());

    assertThat(store.manifests().deleteManifest(APP, index.digest())).isEqualTo(deleted("latest"));
    assertThat(store.manifests().deleteManifest(APP, otherIndex.digest())).isEqualTo(deleted());
    assertThat(store.manifests().deleteManifest(APP, amd64.digest())).isEqualTo(deleted("amd64"));
    assertThat(store.manifests().findManifest(APP, arm64.digest())).isPresent();
  }

  @Test
  void anIndexInAnotherRepositoryDoesNotHoldAManifest() throws Exception {
    ManifestRecord inApp = image(APP, "amd64", blobs(APP, "config"));
    ManifestRecord inOther = image(OTHER, "amd64", blobs(OTHER, "config"));
    store.manifests().putManifest(inApp, Optional.empty(), T0);
    store.manifests().putManifest(inOther, Optional.empty(), T0);
    store.manifests().putManifest(index(OTHER, "index", inOther.digest()), Optional.empty(), T0);

    assertThat(store.manifests().deleteManifest(APP, inApp.digest())).isEqualTo(deleted());
  }

  @Test
  void namespaceMembersAreListedWithTheirRolesAndGoWithTheirUser() {
    AccessStore access = store.access();
    for (String name : List.of("alice", "bob", "carol")) {
      assertThat(access.addUser(new AccessStore.UserRecord(name, "hash", false, T0))).isTrue();
    }
    access.setRole("team", "alice", "admin");
    access.setRole("team", "bob", "guest");
    access.setRole("team", "bob", "developer");
    access.setRole("other", "carol", "maintainer");

    assertThat(access.membersOf("team")).containsExactly(Map.entry("alice", "admin"), Map.entry("bob", "developer"));
    assertThat(access.membersOf("nobody-here")).isEmpty();
    access.setPublic("open", true);
    assertThat(access.namespaces()).containsExactly("open", "other", "team");
    assertThat(access.removeUser("bob")).isTrue();
    assertThat(access.membersOf("team")).containsOnlyKeys("alice");
  }

  @Test
  void pullTimesAreRecordedInABatchAndOnlyMoveForward() throws Exception {
    ManifestRecord pulled = image(APP, "pulled", blobs(APP, "config"));
    ManifestRecord never = image(APP, "never", blobs(APP, "config"));
    store.manifests().putManifest(pulled, Optional.empty(), T0);
    store.manifests().putManifest(never, Optional.empty(), T0);
    Instant later = T0.plus(Duration.ofMinutes(5));

    store.manifests().recordPulls(Map.of(new ManifestKey(APP, pulled.digest()), later,
        new ManifestKey(OTHER, pulled.digest()), later,
        new ManifestKey(APP, digest("deleted meanwhile")), later));
    store.manifests().recordPulls(Map.of(new ManifestKey(APP, pulled.digest()), T0.plusSeconds(1)));
    store.manifests().recordPulls(Map.of());

    Map<Digest, Optional<Instant>> lastPulled = new java.util.HashMap<>();
    store.inventory().manifestsOf(APP).forEach(m -> lastPulled.put(m.digest(), m.lastPulledAt()));
    assertThat(lastPulled).containsEntry(pulled.digest(), Optional.of(later))
        .containsEntry(never.digest(), Optional.empty());
    assertThat(store.manifests().repositoryExists(OTHER)).as("a pull of an unknown manifest creates nothing").isFalse();
  }

  // ---- tags

  @Test
  void deletingATagKeepsTheManifestAndItsOtherTags() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config"));
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);
    store.manifests().putManifest(image, Optional.of(Tag.of("latest")), T0);

    assertThat(store.manifests().deleteTag(APP, Tag.of("latest"))).isTrue();
    assertThat(store.manifests().deleteTag(APP, Tag.of("latest"))).isFalse();
    assertThat(store.manifests().deleteTag(OTHER, Tag.of("v1"))).isFalse();

    assertThat(store.manifests().resolveTag(APP, Tag.of("latest"))).isEmpty();
    assertThat(store.manifests().resolveTag(APP, Tag.of("v1"))).contains(image.digest());
    assertThat(store.manifests().findManifest(APP, image.digest())).isPresent();
  }

  @Test
  void tagsAreListedInByteOrderPageByPage() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config"));
    for (String tag : List.of("a", "_x", "B", "1.0", "A", "a-b", "a.b")) {
      store.manifests().putManifest(image, Optional.of(Tag.of(tag)), T0);
    }
    List<Tag> byteOrder = tags("1.0", "A", "B", "_x", "a", "a-b", "a.b");

    assertThat(store.manifests().listTags(APP, Optional.empty(), 100)).isEqualTo(byteOrder);
    assertThat(store.manifests().tagsOf(APP, image.digest())).isEqualTo(byteOrder);
    assertThat(store.manifests().listTags(APP, Optional.empty(), 3)).isEqualTo(tags("1.0", "A", "B"));
    assertThat(store.manifests().listTags(APP, Optional.of("B"), 3)).isEqualTo(tags("_x", "a", "a-b"));
    assertThat(store.manifests().listTags(APP, Optional.of("a-b"), 3)).isEqualTo(tags("a.b"));
    assertThat(store.manifests().listTags(APP, Optional.of("a.b"), 3)).isEmpty();
    assertThat(store.manifests().listTags(APP, Optional.of("Z"), 2)).as("after no tag").isEqualTo(tags("_x", "a"));
    assertThat(store.manifests().listTags(APP, Optional.empty(), 0)).isEmpty();
    assertThat(store.manifests().listTags(OTHER, Optional.empty(), 100)).isEmpty();
  }

  // ---- repositories

  @Test
  void repositoriesAreListedInByteOrderPageByPage() {
    List<RepositoryName> byteOrder = repositories("a", "a-b", "a.b", "a/x", "a_b", "b", "b0");
    for (RepositoryName repository : byteOrder.reversed()) {
      store.blobs().recordBlob(repository, digest("layer"), 1, T0);
    }

    assertThat(store.manifests().listRepositories(Optional.empty(), 100)).isEqualTo(byteOrder);
    assertThat(store.manifests().listRepositories(Optional.empty(), 2)).isEqualTo(repositories("a", "a-b"));
    assertThat(store.manifests().listRepositories(after("a-b"), 3)).isEqualTo(repositories("a.b", "a/x", "a_b"));
    assertThat(store.manifests().listRepositories(after("a_b"), 3)).isEqualTo(repositories("b", "b0"));
    assertThat(store.manifests().listRepositories(after("b0"), 3)).isEmpty();
    assertThat(store.manifests().listRepositories(after("a0"), 1)).as("after no repository").isEqualTo(repositories("a_b"));
  }

  @Test
  void aRepositoryExistsWhileItHoldsALinkOrAManifest() throws Exception {
    assertThat(store.manifests().repositoryExists(APP)).isFalse();
    List<Digest> linked = blobs(APP, "config");
    assertThat(store.manifests().repositoryExists(APP)).isTrue();

    ManifestRecord image = image(APP, "v1", linked);
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);
    store.manifests().deleteManifest(APP, image.digest());
    assertThat(store.manifests().repositoryExists(APP)).as("with a link only").isTrue();

    store.blobs().unlinkBlob(APP, linked.get(0));
    assertThat(store.manifests().repositoryExists(APP)).isFalse();
  }

  @Test
  void aBlobThatAManifestUsesCannotBeUnlinked() throws Exception {
    List<Digest> linked = blobs(APP, "config", "layer");
    store.manifests().putManifest(image(APP, "v1", linked), Optional.empty(), T0);

    assertThat(store.blobs().unlinkBlob(APP, linked.get(1))).isEqualTo(BlobUnlink.IN_USE);
    assertThat(store.blobs().findLinkedBlob(APP, linked.get(1))).isPresent();
  }

  // ---- referrers

  @Test
  void referrersAreTheManifestsWhoseSubjectIsTheDigest() throws Exception {
    ManifestRecord subject = image(APP, "subject", blobs(APP, "config"));
    store.manifests().putManifest(subject, Optional.of(Tag.of("v1")), T0);
    List<Digest> config = blobs(APP, "empty");
    Map<String, String> annotations = Map.of("org.example.signed-by", "ci", "created", "2026-01-01");
    String signatureType = "application/vnd.example.signature";
    String sbomType = "application/spdx+json";
    ManifestRecord signature = referrer(APP, "signature", config, subject.digest(), signatureType, annotations);
    ManifestRecord sbom = referrer(APP, "sbom", config, subject.digest(), sbomType, Map.of());
    ManifestRecord unrelated = referrer(APP, "unrelated", config, digest("someone-else"), sbomType, Map.of());
    ManifestRecord elsewhere = referrer(OTHER, "sbom", blobs(OTHER, "empty"), subject.digest(), sbomType, Map.of());
    for (ManifestRecord manifest : List.of(signature, sbom, unrelated, elsewhere)) {
      store.manifests().putManifest(manifest, Optional.empty(), T0);
    }

    List<Referrer> all = store.manifests().listReferrers(APP, subject.digest(), Optional.empty());
    List<Referrer> sboms = store.manifests().listReferrers(APP, subject.digest(), Optional.of(sbomType));

    assertThat(all).extracting(Referrer::digest).isSortedAccordingTo(Digest::compareTo)
        .containsExactlyInAnyOrder(signature.digest(), sbom.digest());
    Referrer signed = all.stream().filter(r -> r.digest().equals(signature.digest())).findFirst().orElseThrow();
    assertThat(signed).isEqualTo(new Referrer(
        signature.digest(), MediaType.OCI_MANIFEST, signature.size(), Optional.of(signatureType), annotations));
    assertThat(sboms).extracting(Referrer::digest).containsExactly(sbom.digest());
    assertThat(store.manifests().listReferrers(APP, subject.digest(), Optional.of("application/none"))).isEmpty();
    assertThat(store.manifests().listReferrers(APP, sbom.digest(), Optional.empty())).isEmpty();
  }

  @Test
  void aReferrerMayComeBeforeItsSubjectAndHaveNoArtifactType() throws Exception {
    Digest subject = digest("not-yet-pushed");
    ManifestRecord untyped = referrer(APP, "untyped", blobs(APP, "config"), subject, null, Map.of());

    store.manifests().putManifest(untyped, Optional.empty(), T0);

    assertThat(store.manifests().listReferrers(APP, subject, Optional.empty())).containsExactly(
        new Referrer(untyped.digest(), MediaType.OCI_MANIFEST, untyped.size(), Optional.empty(), Map.of()));
  }

  // ---- imports

  @Test
  void anImportBatchWritesWhatRecordBlobAndPutManifestWould() throws Exception {
    ImportBatch single = imported(APP, T0);
    for (ImportBatch.Blob blob : single.blobs()) {
      store.blobs().recordBlob(APP, blob.digest(), blob.size(), T0);
    }
    for (ManifestRecord manifest : single.manifests()) {
      List<Tag> tags = single.tags().stream().filter(t -> t.manifest().equals(manifest.digest()))
          .map(ImportBatch.TagLink::tag).toList();
      if (tags.isEmpty()) {
        store.manifests().putManifest(manifest, Optional.empty(), T0);
      }
      for (Tag tag : tags) {
        store.manifests().putManifest(manifest, Optional.of(tag), T0);
      }
    }

    List<ImportBatch.Refusal> refused = store.manifests().importBatches(List.of(imported(OTHER, T0)), T0);

    assertThat(refused).isEmpty();
    assertThat(observed(OTHER, imported(OTHER, T0))).isEqualTo(observed(APP, single)).isNotEmpty();
  }

  @Test
  void anImportBatchRefusesWhatPutManifestWouldRefuseAndWritesTheRest() throws SQLException {
    Digest beingDeleted = blobs(APP, "deleted").getFirst();
    markDeleting(beingDeleted);
    ImportBatch.Blob config = new ImportBatch.Blob(digest("config"), 6);
    Digest unknown = digest("unknown");
    ManifestRecord good = image(APP, "good", List.of(config.digest()));
    ManifestRecord missingBlob = image(APP, "missing", List.of(config.digest(), unknown));
    ManifestRecord collected = image(APP, "collected", List.of(beingDeleted));
    ManifestRecord index = index(APP, "index", good.digest(), missingBlob.digest());
    ImportBatch batch = new ImportBatch(APP, List.of(config), List.of(good, missingBlob, collected, index), List.of(
        new ImportBatch.TagLink(Tag.of("good"), good.digest()),
        new ImportBatch.TagLink(Tag.of("missing"), missingBlob.digest()),
        new ImportBatch.TagLink(Tag.of("latest"), index.digest())));

    List<ImportBatch.Refusal> refused = store.manifests().importBatches(List.of(batch), T0);

    assertThat(refused).extracting(ImportBatch.Refusal::manifest, r -> r.missing().blobs(), r -> r.missing().manifests())
        .containsExactly(
            tuple(missingBlob.digest(), List.of(unknown), List.of()),
            tuple(collected.digest(), List.of(beingDeleted), List.of()),
            tuple(index.digest(), List.of(), List.of(missingBlob.digest())));
    assertThat(store.manifests().listTags(APP, Optional.empty(), 10)).containsExactly(Tag.of("good"));
    assertThat(store.manifests().findManifest(APP, good.digest())).isPresent();
    for (ManifestRecord absent : List.of(missingBlob, collected, index)) {
      assertThat(store.manifests().findManifest(APP, absent.digest())).isEmpty();
    }
    assertThat(store.blobs().findLinkedBlob(APP, config.digest())).isPresent();
  }

  @Test
  void importingABatchAgainChangesNothingButMovesTouchedAtForwardAndTagsToItsManifests() throws SQLException {
    Instant later = T0.plusSeconds(60);
    assertThat(store.manifests().importBatches(List.of(imported(APP, later)), later)).isEmpty();
    List<Object> once = observed(APP, imported(APP, later));
    Digest layer = imported(APP, T0).blobs().getLast().digest();
    markDeleting(layer);
    ManifestRecord amd64 = imported(APP, T0).manifests().getFirst();

    List<ImportBatch.Refusal> again = store.manifests().importBatches(List.of(imported(APP, T0)), T0);
    store.manifests().importBatches(List.of(new ImportBatch(APP, List.of(), List.of(amd64),
        List.of(new ImportBatch.TagLink(Tag.of("latest"), amd64.digest())))), T0);

    assertThat(again).isEmpty();
    assertThat(store.blobs().findBlob(layer)).hasValueSatisfying(blob -> {
      assertThat(blob.state()).as("revived, as recordBlob revives it").isEqualTo(BlobState.LIVE);
      assertThat(blob.touchedAt()).isEqualTo(later);
    });
    assertThat(store.manifests().resolveTag(APP, Tag.of("latest"))).contains(amd64.digest());
    store.manifests().importBatches(List.of(imported(APP, later)), later);
    assertThat(observed(APP, imported(APP, later))).isEqualTo(once);
  }

  @Test
  void batchesOfSeveralRepositoriesInOneCallAreEachWrittenAsAloneAndARefusalNamesItsRepository()
      throws Exception {
    ImportBatch alone = imported(APP, T0);
    store.manifests().importBatches(List.of(alone), T0);
    List<Object> expected = observed(APP, alone);
    // A blob linked in the batch of another repository is not linked in this one's.
    RepositoryName third = RepositoryName.of("team/third");
    ManifestRecord borrowing = image(third, "borrowing", List.of(digest("layer")));

    List<ImportBatch.Refusal> refused = store.manifests().importBatches(List.of(
        imported(OTHER, T0), new ImportBatch(third, List.of(), List.of(borrowing), List.of())), T0);

    assertThat(refused).extracting(ImportBatch.Refusal::repository, ImportBatch.Refusal::manifest,
        r -> r.missing().blobs()).containsExactly(tuple(third, borrowing.digest(), List.of(digest("layer"))));
    assertThat(observed(OTHER, imported(OTHER, T0))).isEqualTo(expected);
    assertThat(store.manifests().findManifest(third, borrowing.digest())).isEmpty();
  }

  @Test
  void aTagOfAnImportBatchNamesOneOfItsManifests() {
    ManifestRecord elsewhere = image(OTHER, "v1", List.of());
    assertThatThrownBy(() -> new ImportBatch(APP, List.of(), List.of(elsewhere), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportBatch(APP, List.of(), List.of(),
        List.of(new ImportBatch.TagLink(Tag.of("v1"), elsewhere.digest()))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * What an import finds in a repository: two blobs, an image, its signature (a referrer), an index
   * of the image tagged twice; the second blob recorded as of {@code now}.
   */
  @Test
  void anImportIntoAnEmptyStoreLoadsWithoutTheLookupIndexesAndBuildsThemAfter() throws SQLException {
    Map<String, List<String>> indexes = lookupIndexes();
    assertThat(indexes).containsKeys("manifest_blobs_by_blob", "repository_blobs_digest", "tags_manifest");

    assertThat(store.manifests().deferIndexesForImport()).isTrue();
    assertThat(lookupIndexes()).isEmpty();
    assertThat(store.manifests().importBatches(List.of(imported(APP, T0)), T0)).isEmpty();
    assertThat(store.manifests().deferIndexesForImport()).as("still deferred").isTrue();
    store.manifests().buildDeferredIndexes();

    assertThat(lookupIndexes()).isEqualTo(indexes);
    assertThat(observed(APP, imported(APP, T0))).isNotEmpty();
    assertThat(store.manifests().deferIndexesForImport()).as("the store holds manifests now").isFalse();
    assertThat(lookupIndexes()).isEqualTo(indexes);
  }

  @Test
  void indexesAnImportLeftUnbuiltAreBuiltWhenTheStoreIsOpenedAgain() throws SQLException {
    Map<String, List<String>> indexes = lookupIndexes();
    store.manifests().deferIndexesForImport();
    store.manifests().importBatches(List.of(imported(APP, T0)), T0);
    store.close();

    store = openStore();

    assertThat(lookupIndexes()).isEqualTo(indexes);
    store.manifests().buildDeferredIndexes();
    assertThat(lookupIndexes()).isEqualTo(indexes);
  }

  @Test
  void aStoreThatHoldsBlobLinksKeepsItsIndexesThroughAnImport() throws SQLException {
    Map<String, List<String>> indexes = lookupIndexes();
    blobs(APP, "config");

    assertThat(store.manifests().deferIndexesForImport()).isFalse();
    assertThat(lookupIndexes()).isEqualTo(indexes);
  }

  /** The non-unique indexes of the tables an import fills, by name, with their columns in order (JDBC's view). */
  private Map<String, List<String>> lookupIndexes() throws SQLException {
    Map<String, List<String>> indexes = new TreeMap<>();
    try (Connection c = openConnection()) {
      for (String table : List.of("blobs", "repository_blobs", "manifests", "manifest_blobs", "manifest_children", "tags")) {
        try (ResultSet rows = c.getMetaData().getIndexInfo(null, c.getSchema(), table, false, false)) {
          while (rows.next()) {
            if (rows.getBoolean("NON_UNIQUE") && rows.getString("INDEX_NAME") != null) {
              indexes.computeIfAbsent(rows.getString("INDEX_NAME"), name -> new ArrayList<>())
                  .add(rows.getShort("ORDINAL_POSITION") + ":" + rows.getString("COLUMN_NAME"));
            }
          }
        }
      }
    }
    return indexes;
  }

  private static ImportBatch imported(RepositoryName repository, Instant now) {
    List<ImportBatch.Blob> blobs = List.of(new ImportBatch.Blob(digest("config"), 6),
        new ImportBatch.Blob(digest("layer"), 5));
    List<Digest> named = blobs.stream().map(ImportBatch.Blob::digest).toList();
    ManifestRecord amd64 = image(repository, "amd64", named);
    ManifestRecord signature = referrer(repository, "signature", named.subList(0, 1), amd64.digest(),
        "application/vnd.example.signature", Map.of("org.example.signed-by", "ci"));
    ManifestRecord index = index(repository, "index", amd64.digest());
    return new ImportBatch(repository, blobs, List.of(amd64, signature, index), List.of(
        new ImportBatch.TagLink(Tag.of("latest"), index.digest()),
        new ImportBatch.TagLink(Tag.of("1.0"), index.digest())));
  }

  /** All a reader can see of what {@link #imported} wrote, including the refusals its references cause. */
  private List<Object> observed(RepositoryName repository, ImportBatch imported) {
    List<Object> seen = new ArrayList<>();
    for (ImportBatch.Blob blob : imported.blobs()) {
      seen.add(store.blobs().findLinkedBlob(repository, blob.digest()));
      seen.add(store.blobs().unlinkBlob(repository, blob.digest()));
    }
    for (ManifestRecord manifest : imported.manifests()) {
      StoredManifest stored = store.manifests().findManifest(repository, manifest.digest()).orElseThrow();
      seen.add(List.of(stored.digest(), stored.mediaType(), new String(stored.payload(), StandardCharsets.UTF_8),
          stored.createdAt()));
      seen.add(store.manifests().tagsOf(repository, manifest.digest()));
      seen.add(store.manifests().listReferrers(repository, manifest.digest(), Optional.empty()));
    }
    seen.add(store.manifests().deleteManifest(repository, imported.manifests().getFirst().digest()));
    seen.add(store.manifests().listTags(repository, Optional.empty(), 10));
    return seen;
  }

  // ---- uploads

  @Test
  void uploadSessionsAreCreatedTouchedAndDeleted() {
    UploadId id = UploadId.random();

    store.blobs().createUpload(id, APP, T0);
    assertThat(store.blobs().findUpload(id)).contains(new UploadRecord(id, APP, T0, T0));
    assertThat(store.manifests().repositoryExists(APP)).as("an upload alone does not make a repository").isFalse();

    store.blobs().touchUpload(id, T0.plusSeconds(30));
    assertThat(store.blobs().findUpload(id)).contains(new UploadRecord(id, APP, T0, T0.plusSeconds(30)));

    assertThat(store.blobs().deleteUpload(id)).isTrue();
    assertThat(store.blobs().deleteUpload(id)).isFalse();
    assertThat(store.blobs().findUpload(id)).isEmpty();
    assertThat(store.blobs().findUpload(UploadId.random())).isEmpty();
  }

  // ---- durability, concurrency and GC races

  @Test
  void everythingSurvivesReopeningTheDatabase() throws Exception {
    ManifestRecord image = image(APP, "v1", blobs(APP, "config"));
    store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);
    store.close();

    store = openStore();

    assertThat(store.manifests().resolveTag(APP, Tag.of("v1"))).contains(image.digest());
    assertThat(store.manifests().findManifest(APP, image.digest()).orElseThrow().payload()).isEqualTo(image.payload());
  }

  @Test
  void concurrentPushesOfSharedAndOwnContentAllSucceed() throws Exception {
    int threads = 8;
    int rounds = 5;
    List<Digest> shared = List.of(digest("base-1"), digest("base-2"), digest("base-3"));
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<ManifestRecord>>> pushes = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        pushes.add(pool.submit(() -> {
          start.await();
          RepositoryName own = RepositoryName.of("team" + thread + "/app");
          List<ManifestRecord> pushed = new ArrayList<>();
          for (int round = 0; round < rounds; round++) {
            Instant now = T0.plusSeconds(round);
            Digest layer = digest("layer-" + thread + "-" + round);
            List<Digest> named = new ArrayList<>(shared);
            named.add(layer);
            for (Digest blob : named) {
              store.blobs().recordBlob(APP, blob, 10, now);
            }
            ManifestRecord image = image(APP, "image-" + thread + "-" + round, named);
            store.manifests().putManifest(image, Optional.of(Tag.of("t" + thread + "-" + round)), now);
            store.manifests().putManifest(image, Optional.of(Tag.of("latest")), now);
            assertThat(store.blobs().mountBlob(APP, own, layer, now)).isPresent();
            pushed.add(image);
          }
          return pushed;
        }));
      }
      List<ManifestRecord> pushed = new ArrayList<>();
      for (Future<List<ManifestRecord>> push : pushes) {
        pushed.addAll(push.get(2, TimeUnit.MINUTES));
      }

      for (int t = 0; t < threads; t++) {
        for (int round = 0; round < rounds; round++) {
          ManifestRecord image = pushed.get(t * rounds + round);
          assertThat(store.manifests().resolveTag(APP, Tag.of("t" + t + "-" + round))).contains(image.digest());
          assertThat(store.manifests().findManifest(APP, image.digest())).isPresent();
          assertThat(store.blobs().findLinkedBlob(RepositoryName.of("team" + t + "/app"), image.blobs().getLast())).isPresent();
        }
      }
      Digest latest = store.manifests().resolveTag(APP, Tag.of("latest")).orElseThrow();
      assertThat(pushed).extracting(ManifestRecord::digest).contains(latest);
      assertThat(store.manifests().listTags(APP, Optional.empty(), 1000)).hasSize(threads * rounds + 1);
      assertThat(store.manifests().listRepositories(Optional.empty(), 100)).hasSize(threads + 1);
      for (Digest blob : shared) {
        assertThat(store.blobs().findLinkedBlob(APP, blob)).hasValueSatisfying(b -> {
          assertThat(b.state()).isEqualTo(BlobState.LIVE);
          assertThat(b.touchedAt()).isEqualTo(T0.plusSeconds(rounds - 1));
        });
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void readsDoNotWaitForAnOpenWriteTransaction() throws Exception {
    Digest layer = blobs(APP, "layer").getFirst();
    try (Connection writer = openConnection()) {
      writer.setAutoCommit(false);
      execute(writer, "UPDATE blobs SET state = 'deleting' WHERE digest = ?", layer.toString());

      CompletableFuture<Optional<BlobRecord>> read =
          CompletableFuture.supplyAsync(() -> store.blobs().findLinkedBlob(APP, layer), NEW_THREAD);

      assertThat(read).succeedsWithin(Duration.ofSeconds(5)).satisfies(b -> assertThat(b).isPresent());
      writer.rollback();
    }
  }

  // The races below hold one side open in a plain connection: the row lock on PostgreSQL, the write
  // lock on SQLite. The store's side must wait for it, then act on what it committed.

  /** GC's first step, racing a push: the push must not commit a reference to a blob GC is deleting. */
  @Test
  void aManifestPutWaitsForGcMarkingABlobAndThenRefusesIt() throws Exception {
    List<Digest> named = blobs(APP, "config", "layer");
    ManifestRecord image = image(APP, "v1", named);
    CompletableFuture<Void> put;
    try (Connection gc = openConnection()) {
      gc.setAutoCommit(false);
      execute(gc, "UPDATE blobs SET state = 'deleting' WHERE digest = ?", named.get(1).toString());

      put = waitingFor(gc, () -> {
        store.manifests().putManifest(image, Optional.of(Tag.of("v1")), T0);
        return null;
      });
    }

    assertThat(put).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
        .isInstanceOfSatisfying(MissingReferencesException.class,
            e -> assertThat(e.blobs()).containsExactly(named.get(1)));
    assertThat(store.manifests().findManifest(APP, image.digest())).isEmpty();
    assertThat(store.manifests().resolveTag(APP, Tag.of("v1"))).isEmpty();
  }

  /** An index PUT in flight names the manifest being deleted: the delete must see the new parent. */
  @Test
  void aManifestDeleteWaitsForAnIndexPutNamingItAndThenRefuses() throws Exception {
    ManifestRecord child = image(APP, "amd64", blobs(APP, "config"));
    store.manifests().putManifest(child, Optional.empty(), T0);
    Digest index = digest("index in flight");
    CompletableFuture<ManifestDeletion> delete;
    try (Connection push = openConnection()) {
      push.setAutoCommit(false);
      execute(push, """
          INSERT INTO manifests (repository, digest, media_type, annotations, size, payload, created_at)
          VALUES (?, ?, ?, '{}', 1, ?, 0)""",
          APP.value(), index.toString(), MediaType.OCI_INDEX.value(), new byte[] {'x'});
      execute(push, "INSERT INTO manifest_children (repository, parent_digest, child_digest) VALUES (?, ?, ?)",
          APP.value(), index.toString(), child.digest().toString());

      delete = waitingFor(push, () -> store.manifests().deleteManifest(APP, child.digest()));
    }

    assertThat(delete).succeedsWithin(Duration.ofSeconds(10))
        .isEqualTo(new ManifestDeletion.StillReferenced(List.of(index)));
    assertThat(store.manifests().findManifest(APP, child.digest())).isPresent();
  }

  /** A manifest delete in flight, racing an index PUT naming it: the PUT must see it gone. */
  @Test
  void anIndexPutWaitsForADeleteOfItsChildAndThenRefuses() throws Exception {
    ManifestRecord child = image(APP, "amd64", blobs(APP, "config"));
    store.manifests().putManifest(child, Optional.empty(), T0);
    ManifestRecord index = index(APP, "index", child.digest());
    CompletableFuture<Void> put;
    try (Connection delete = openConnection()) {
      delete.setAutoCommit(false);
      execute(delete, "DELETE FROM manifests WHERE repository = ? AND digest = ?",
          APP.value(), child.digest().toString());

      put = waitingFor(delete, () -> {
        store.manifests().putManifest(index, Optional.of(Tag.of("latest")), T0);
        return null;
      });
    }

    assertThat(put).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
        .isInstanceOfSatisfying(MissingReferencesException.class,
            e -> assertThat(e.manifests()).containsExactly(child.digest()));
    assertThat(store.manifests().findManifest(APP, index.digest())).isEmpty();
  }

  // ---- several calls in one transaction

  @Test
  void atomicallyCommitsEveryCallTogether() throws Exception {
    ManifestRecord image = image(APP, "image", blobs(APP, "layer"));
    store.manifests().putManifest(image, Optional.of(Tag.of("a")), T0);
    store.manifests().putManifest(image, Optional.of(Tag.of("b")), T0);

    store.atomically(tx -> {
      assertThat(tx.manifests().deleteTag(APP, Tag.of("a"))).isTrue();
      assertThat(tx.manifests().resolveTag(APP, Tag.of("a"))).as("the transaction sees its own writes").isEmpty();
      tx.history().audit(new AuditEntry("audit-1", T0, "alice", "tag.delete", "team/app:a", "both tags"));
      return tx.manifests().deleteTag(APP, Tag.of("b"));
    });

    assertThat(store.manifests().listTags(APP, Optional.empty(), 10)).isEmpty();
    assertThat(store.history().recentAudit(10)).extracting(AuditEntry::id).containsExactly("audit-1");
  }

  @Test
  void atomicallyRollsBackEveryCallWhenWorkFails() throws Exception {
    ManifestRecord image = image(APP, "image", blobs(APP, "layer"));
    store.manifests().putManifest(image, Optional.of(Tag.of("a")), T0);

    assertThatThrownBy(() -> store.atomically(tx -> {
      tx.manifests().deleteTag(APP, Tag.of("a"));
      tx.history().audit(new AuditEntry("audit-1", T0, "alice", "tag.delete", "team/app:a", "tag removed"));
      throw new IllegalStateException("refused after the first write");
    })).isInstanceOf(IllegalStateException.class);

    assertThat(store.manifests().resolveTag(APP, Tag.of("a"))).contains(image.digest());
    assertThat(store.history().recentAudit(10)).as("the audit entry went with the delete").isEmpty();
  }

  // ---- the audit log, read through filters

  @Test
  void auditFiltersByActorNamespaceActionAndTimeRange() {
    HistoryStore h = store.history();
    h.audit(AuditEntry.of(T0, "alice", AuditAction.MANIFEST_PUSH, "team/app:1.0", Optional.of("team"), "pushed"));
    h.audit(AuditEntry.of(T0.plusSeconds(60), "bob", AuditAction.ROLE_SET, "team", Optional.of("team"), "carol: guest"));
    h.audit(AuditEntry.of(T0.plusSeconds(120), "alice", AuditAction.USER_CREATE, "dave", Optional.empty(), "user"));
    h.audit(AuditEntry.of(T0.plusSeconds(180), "alice", AuditAction.MANIFEST_PUSH, "other/x:1", Optional.of("other"),
        "pushed"));

    assertThat(h.audit(AuditFilter.ANY, 10)).extracting(AuditEntry::target)
        .containsExactly("other/x:1", "dave", "team", "team/app:1.0");
    assertThat(h.audit(filter(Optional.of("alice"), Optional.empty(), Optional.empty(), null, null), 10))
        .extracting(AuditEntry::target).containsExactly("other/x:1", "dave", "team/app:1.0");
    assertThat(h.audit(filter(Optional.empty(), Optional.of("team"), Optional.empty(), null, null), 10))
        .extracting(AuditEntry::target).containsExactly("team", "team/app:1.0");
    assertThat(h.audit(filter(Optional.empty(), Optional.empty(), Optional.of("manifest.push"), null, null), 10))
        .extracting(AuditEntry::target).containsExactly("other/x:1", "team/app:1.0");
    assertThat(h.audit(filter(Optional.empty(), Optional.empty(), Optional.empty(), T0.plusSeconds(60),
        T0.plusSeconds(180)), 10)).as("from inclusive, until exclusive")
        .extracting(AuditEntry::target).containsExactly("dave", "team");
    assertThat(h.audit(filter(Optional.of("alice"), Optional.of("team"), Optional.of("manifest.push"), null, null), 10))
        .singleElement().satisfies(e -> {
          assertThat(e.namespace()).contains("team");
          assertThat(e.detail()).isEqualTo("pushed");
        });
  }

  @Test
  void anAuditEntryOfADeleteKnowsItsNamespaceFromItsTarget() {
    store.history().audit(new AuditEntry("a-1", T0, "alice", "tag.delete", "team/app:a", "tag removed"));
    store.history().audit(new AuditEntry("a-2", T0, "alice", "gc.run", "gc/1", "freed"));

    assertThat(store.history().audit(filter(Optional.empty(), Optional.of("team"), Optional.empty(), null, null), 10))
        .extracting(AuditEntry::id).containsExactly("a-1");
  }

  private static AuditFilter filter(Optional<String> actor, Optional<String> namespace, Optional<String> action,
      Instant from, Instant until) {
    return new AuditFilter(actor, namespace, action, Optional.ofNullable(from), Optional.ofNullable(until));
  }

  // ---- the GC schedule

  @Test
  void theGcScheduleIsEmptyUntilSetAndASecondSetReplacesTheFirst() {
    assertThat(store.history().gcSchedule()).isEmpty();
    GcScheduleRecord first = new GcScheduleRecord("0 3 * * *", true, false, Duration.ofHours(24), "alice", T0);
    store.history().setGcSchedule(first);
    assertThat(store.history().gcSchedule()).contains(first);

    GcScheduleRecord second = new GcScheduleRecord("30 1 * * 0", false, true, Duration.ofMinutes(90), "bob",
        T0.plusSeconds(5));
    store.history().setGcSchedule(second);
    assertThat(store.history().gcSchedule()).contains(second);
  }

  /** The store's own stores are separate transactions: inside the work they are refused, not joined. */
  @Test
  void aCallOnTheStoreItselfInsideATransactionIsRefusedAndUndoesTheTransaction() throws Exception {
    ManifestRecord image = image(APP, "image", blobs(APP, "layer"));
    store.manifests().putManifest(image, Optional.of(Tag.of("a")), T0);

    assertThatThrownBy(() -> store.atomically(tx -> {
      tx.manifests().deleteTag(APP, Tag.of("a"));
      return store.history().recentAudit(1);
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("MetadataTransaction");

    assertThat(store.manifests().resolveTag(APP, Tag.of("a"))).contains(image.digest());
  }

  // ---- garbage collection's guarded deletions (each re-judges its batch inside its transaction)

  private static final Instant CUTOFF = T0.plusSeconds(60);

  private CollectorStore collector() {
    return store.collector();
  }

  private HistoryStore history() {
    return store.history();
  }

  @Test
  void guardedManifestDeletionTakesOnlyWhatIsStillGarbage() throws Exception {
    List<Digest> layers = blobs(APP, "layer");
    ManifestRecord tagged = image(APP, "tagged", layers);
    ManifestRecord untagged = image(APP, "untagged", layers);
    ManifestRecord listed = image(APP, "listed", layers);
    ManifestRecord young = image(APP, "young", layers);
    store.manifests().putManifest(tagged, Optional.of(Tag.of("v1")), T0);
    store.manifests().putManifest(untagged, Optional.empty(), T0);
    store.manifests().putManifest(listed, Optional.empty(), T0);
    store.manifests().putManifest(index(APP, "index", listed.digest()), Optional.of(Tag.of("multi")), T0);
    store.manifests().putManifest(young, Optional.empty(), CUTOFF.plusSeconds(1));
    ManifestRecord liveReferrer = referrer(APP, "signature", layers, tagged.digest(), "sig", Map.of());
    ManifestRecord orphanReferrer = referrer(APP, "orphan", layers, digest("gone"), "sig", Map.of());
    store.manifests().putManifest(liveReferrer, Optional.empty(), T0);
    store.manifests().putManifest(orphanReferrer, Optional.empty(), T0);
    List<ManifestKey> all = java.util.stream.Stream.of(tagged, untagged, listed, young, liveReferrer, orphanReferrer)
        .map(m -> new ManifestKey(APP, m.digest()))
        .toList();

    assertThat(collector().deleteManifestsIfGarbage(all, CUTOFF, false))
        .containsExactly(new ManifestKey(APP, orphanReferrer.digest()));
    assertThat(collector().deleteManifestsIfGarbage(all, CUTOFF, true))
        .containsExactly(new ManifestKey(APP, untagged.digest()));

    assertThat(store.manifests().findManifest(APP, untagged.digest())).isEmpty();
    assertThat(store.manifests().findManifest(APP, orphanReferrer.digest())).isEmpty();
    for (ManifestRecord kept : List.of(tagged, listed, young, liveReferrer)) {
      assertThat(store.manifests().findManifest(APP, kept.digest())).as("kept").isPresent();
    }
  }

  /**
   * More unused links than one page of the scan, each unlinked by the action as it comes while
   * another thread writes: the action runs between the scan's reads, never inside one (on SQLite a
   * write there would share the read's stale snapshot and be refused).
   */
  @Test
  void theUnusedLinksActionMayWriteWhileOthersWrite() throws Exception {
    int count = 4_500;
    List<ImportBatch.Blob> loose = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      loose.add(new ImportBatch.Blob(digest("loose " + i), 10));
    }
    store.manifests().importBatches(List.of(new ImportBatch(APP, loose, List.of(), List.of())), T0);
    List<Digest> used = blobs(APP, "used");
    store.manifests().putManifest(image(APP, "image", used), Optional.empty(), T0);
    List<BlobLink> seen = new ArrayList<>();
    int[] otherWrites = {0};

    collector().forEachUnusedLink(CUTOFF, Set.of(), link -> {
      seen.add(link);
      if (seen.size() % 1_000 == 1) {
        Thread other = Thread.ofPlatform().start(() ->
            store.blobs().recordBlob(OTHER, digest("other " + otherWrites[0]++), 1, CUTOFF.plusSeconds(60)));
        joinQuietly(other);
      }
      assertThat(collector().unlinkIfUnused(List.of(link), CUTOFF)).containsExactly(link);
    });

    assertThat(seen).hasSize(count).doesNotHaveDuplicates()
        .allSatisfy(link -> assertThat(link.repository()).isEqualTo(APP))
        .noneMatch(link -> used.contains(link.digest()));
    assertThat(store.blobs().findLinkedBlob(APP, digest("loose 0"))).isEmpty();
    assertThat(store.blobs().findLinkedBlob(APP, digest("loose " + (count - 1)))).isEmpty();
    assertThat(store.blobs().findLinkedBlob(APP, used.get(0))).isPresent();
    assertThat(otherWrites[0]).isEqualTo(5);
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void guardedUnlinkTakesOnlyOldLinksNoManifestUses() throws Exception {
    List<Digest> used = blobs(APP, "used");
    Digest unused = blobs(APP, "unused").get(0);
    Digest young = store.blobs().recordBlob(APP, digest("young"), 5, CUTOFF.plusSeconds(1)).digest();
    store.manifests().putManifest(image(APP, "image", used), Optional.empty(), T0);
    List<BlobLink> links = java.util.stream.Stream.of(used.get(0), unused, young, digest("never"))
        .map(d -> new BlobLink(APP, d))
        .toList();

    assertThat(collector().unlinkIfUnused(links, CUTOFF)).containsExactly(new BlobLink(APP, unused));

    assertThat(store.blobs().findLinkedBlob(APP, unused)).isEmpty();
    assertThat(store.blobs().findLinkedBlob(APP, used.get(0))).isPresent();
    assertThat(store.blobs().findLinkedBlob(APP, young)).isPresent();
  }

  @Test
  void guardedBlobMarkingTakesOnlyOldUnreferencedBlobsAndAnyAlreadyDeleting() throws Exception {
    List<Digest> referenced = blobs(APP, "referenced");
    Digest unreferenced = blobs(OTHER, "unreferenced").get(0);
    Digest young = store.blobs().recordBlob(APP, digest("young"), 5, CUTOFF.plusSeconds(1)).digest();
    Digest interrupted = store.blobs().recordBlob(APP, digest("interrupted"), 11, CUTOFF.plusSeconds(1)).digest();
    markDeleting(interrupted);
    store.manifests().putManifest(image(APP, "image", referenced), Optional.empty(), T0);

    Map<Digest, Long> marked = collector().deleteBlobRowsAndMarkNext(List.of(),
        List.of(referenced.get(0), unreferenced, young, interrupted, digest("never")), CUTOFF);

    assertThat(marked).containsExactly(Map.entry(unreferenced, (long) "unreferenced".length()), Map.entry(interrupted, 11L));
    assertThat(store.blobs().findBlob(unreferenced).orElseThrow().state()).isEqualTo(BlobState.DELETING);
    assertThat(store.blobs().findBlob(young).orElseThrow().state()).isEqualTo(BlobState.LIVE);
    assertThat(store.blobs().findBlob(referenced.get(0)).orElseThrow().state()).isEqualTo(BlobState.LIVE);
  }

  @Test
  void oneTransactionRemovesTheRowsOfOneBlobBatchAndMarksTheNext() throws Exception {
    Digest gone = blobs(OTHER, "gone").get(0);
    markDeleting(gone);
    List<Digest> referenced = blobs(APP, "referenced");
    Digest next = blobs(OTHER, "next").get(0);
    store.manifests().putManifest(image(APP, "image", referenced), Optional.empty(), T0);

    Map<Digest, Long> marked = collector().deleteBlobRowsAndMarkNext(List.of(gone), List.of(referenced.get(0), next), CUTOFF);

    assertThat(marked).containsExactly(Map.entry(next, (long) "next".length()));
    assertThat(collector().blobRowExists(gone)).isFalse();
    assertThat(collector().linkedRepositories(List.of(gone))).as("its link went with it").isEmpty();
    assertThat(store.blobs().findBlob(next).orElseThrow().state()).isEqualTo(BlobState.DELETING);
    assertThat(store.blobs().findBlob(referenced.get(0)).orElseThrow().state()).isEqualTo(BlobState.LIVE);
  }

  @Test
  void aBlobBatchThatCannotBeMarkedLeavesTheRowsOfTheOneBefore() throws Exception {
    Digest gone = blobs(OTHER, "gone").get(0);
    markDeleting(gone);
    Digest next = blobs(OTHER, "next").get(0);

    assertThatThrownBy(() -> collector().deleteBlobRowsAndMarkNext(List.of(gone), List.of(next), null))
        .isInstanceOf(NullPointerException.class);

    assertThat(store.blobs().findBlob(gone).orElseThrow().state()).isEqualTo(BlobState.DELETING);
    assertThat(store.blobs().findBlob(next).orElseThrow().state()).isEqualTo(BlobState.LIVE);
  }

  // ---- namespace usage and quota

  @Test
  void usageCountsTheNamespacesDistinctBlobsAndManifestsAndNothingOutsideIt() throws Exception {
    RepositoryName own = RepositoryName.of("team");
    ManifestRecord app = image(APP, "app", blobs(APP, "config-app", "shared-layer"));
    ManifestRecord other = image(OTHER, "other", blobs(OTHER, "config-other", "shared-layer"));
    ManifestRecord root = image(own, "root", blobs(own, "config-root"));
    // The same manifest in two repositories is stored once in the namespace's usage, as a blob is.
    ManifestRecord sameInOther = image(OTHER, "app", blobs(OTHER, "config-app", "shared-layer"));
    blobs(APP, "uploaded, never in a manifest");
    for (ManifestRecord manifest : List.of(app, other, root, sameInOther)) {
      store.manifests().putManifest(manifest, Optional.empty(), T0);
    }
    for (String lookalike : List.of("team2/app", "team-x/app", "teams", "tea/m")) {
      RepositoryName repository = RepositoryName.of(lookalike);
      store.manifests().putManifest(image(repository, lookalike, blobs(repository, "config-app", "big " + lookalike)),
          Optional.empty(), T0);
    }

    long blobs = "config-app".length() + "shared-layer".length() + "config-other".length() + "config-root".length();
    assertThat(sameInOther.digest()).isEqualTo(app.digest());
    assertThat(store.usage().usage("team")).isEqualTo(blobs + app.size() + other.size() + root.size());
    assertThat(store.usage().usage("team2")).isEqualTo("config-app".length() + "big team2/app".length()
        + image(RepositoryName.of("team2/app"), "team2/app", List.of(digest("config-app"), digest("big team2/app")))
        .size());
    assertThat(store.usage().usage("nobody")).isZero();

    store.manifests().deleteManifest(OTHER, other.digest());
    assertThat(store.usage().usage("team"))
        .isEqualTo(blobs - "config-other".length() + app.size() + root.size());
  }

  @Test
  void aManifestAddsTheBlobsItsNamespaceDoesNotHoldYetAndItselfUnlessHeld() throws Exception {
    ManifestRecord app = image(APP, "app", blobs(APP, "config-app", "shared-layer"));
    ManifestRecord other = image(OTHER, "other", blobs(OTHER, "config-other", "shared-layer"));
    ManifestRecord elsewhere = image(RepositoryName.of("team2/app"), "x", blobs(RepositoryName.of("team2/app"), "config-other"));
    store.manifests().putManifest(elsewhere, Optional.empty(), T0);

    assertThat(adds(app)).isEqualTo("config-app".length() + "shared-layer".length() + app.size());
    store.manifests().putManifest(app, Optional.empty(), T0);

    assertThat(adds(app)).isZero();
    assertThat(adds(other))
        .isEqualTo("config-other".length() + other.size());
    ManifestRecord index = index(APP, "index", app.digest());
    assertThat(adds(index)).isEqualTo(index.size());
  }

  @Test
  void aPushAddsToTheCountedUsageOnceCountedUntilThePolicyIsSetAgain() throws Exception {
    ManifestRecord app = image(APP, "app", blobs(APP, "config-app", "layer-app"));
    long appAdds = "config-app".length() + "layer-app".length() + app.size();
    assertThat(held("team")).isEmpty();
    assertThat(addToCount(app)).isEmpty();

    store.policies().put(new PolicyStore.StoredPolicy("team", "quota: 1KiB\n", T0, "alice"));
    assertThat(held("team")).contains("quota: 1KiB\n");
    assertThat(addToCount(app)).as("not counted yet").isEmpty();

    store.atomically(tx -> {
      tx.quota().count("team", 700);
      return null;
    });
    assertThat(addToCount(app)).contains(new QuotaLedger.Counted("quota: 1KiB\n", 700 + appAdds));
    assertThat(addToCount(app)).as("each push adds; only a count corrects")
        .contains(new QuotaLedger.Counted("quota: 1KiB\n", 700 + 2 * appAdds));
    store.manifests().putManifest(app, Optional.empty(), T0);
    assertThat(addToCount(app)).as("held already, adds nothing")
        .contains(new QuotaLedger.Counted("quota: 1KiB\n", 700 + 2 * appAdds));

    store.policies().put(new PolicyStore.StoredPolicy("team", "quota: 2KiB\n", T0, "alice"));
    assertThat(held("team")).contains("quota: 2KiB\n");
    assertThat(addToCount(app)).isEmpty();
    assertThat(store.policies().find("team").orElseThrow().document()).isEqualTo("quota: 2KiB\n");
  }

  @Test
  void anAbandonedPushLeavesTheCountAsItWas() {
    ManifestRecord app = image(APP, "app", blobs(APP, "config-app", "layer-app"));
    store.policies().put(new PolicyStore.StoredPolicy("team", "quota: 1KiB\n", T0, "alice"));
    store.atomically(tx -> {
      tx.quota().count("team", 700);
      return null;
    });
    assertThatThrownBy(() -> store.atomically(tx -> {
      tx.quota().addToCount(app);
      throw new IllegalStateException("refused");
    })).hasMessage("refused");
    assertThat(addToCount(app).orElseThrow().usage()).isEqualTo(700 + adds(app));
  }

  // ---- collection history

  @Test
  void aRunsItemsAreKeptInOrderAndReadInPagesWithTheirRun() {
    String run = "3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d01";
    String other = "3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d02";
    assertThat(history().runStarted(runRecord(run))).isTrue();
    assertThat(history().runStarted(runRecord(other))).as("one run at a time").isFalse();
    history().runFinished(run, GcRunRecord.Status.SUCCEEDED, T0.plusSeconds(1), 0, "{}", "");
    assertThat(history().runStarted(runRecord(other))).isTrue();
    List<GcRunItem> items = List.of(
        new GcRunItem(1, GcRunItem.Kind.MANIFEST, List.of(APP), Optional.of(digest("m")), 512),
        new GcRunItem(2, GcRunItem.Kind.LINK, List.of(OTHER), Optional.of(digest("l")), 0),
        new GcRunItem(3, GcRunItem.Kind.BLOB, List.of(APP, OTHER), Optional.of(digest("b")), 7000),
        new GcRunItem(4, GcRunItem.Kind.ORPHAN, List.of(), Optional.of(digest("o")), 9),
        new GcRunItem(5, GcRunItem.Kind.REPOSITORY, List.of(OTHER), Optional.empty(), 0));

    history().appendRunItems(run, items.subList(0, 2));
    history().appendRunItems(run, items.subList(2, 5));
    history().appendRunItems(other, List.of(new GcRunItem(1, GcRunItem.Kind.ORPHAN, List.of(), Optional.of(digest("x")), 1)));

    assertThat(history().runItems(run, 0, 100)).containsExactlyElementsOf(items);
    assertThat(history().runItems(run, 0, 2)).containsExactlyElementsOf(items.subList(0, 2));
    assertThat(history().runItems(run, 2, 2)).containsExactlyElementsOf(items.subList(2, 4));
    assertThat(history().runItems(run, 5, 2)).isEmpty();
    assertThat(history().runItems(other, 0, 100)).hasSize(1);
    assertThat(history().runItems("3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d03", 0, 100)).isEmpty();
  }

  @Test
  void aRunKeepsItsOwnerAndHeartbeatAndOnlyARunningRunFails() {
    String run = "3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d06";
    String done = "3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d07";
    history().runStarted(runRecord(done));
    history().runFinished(done, GcRunRecord.Status.SUCCEEDED, T0.plusSeconds(5), 0, "{}", "");
    history().runStarted(runRecord(run));

    history().runHeartbeat(run, T0.plusSeconds(30));
    history().runHeartbeat(done, T0.plusSeconds(30));

    assertThat(history().runningRuns()).extracting(GcRunRecord::id).containsExactly(run);
    GcRunRecord running = history().findRun(run).orElseThrow();
    assertThat(running.owner()).contains("host-a/42");
    assertThat(running.heartbeatAt()).contains(T0.plusSeconds(30));
    assertThat(history().findRun(done).orElseThrow().heartbeatAt()).as("a finished run beats no more").contains(T0);

    assertThat(history().failRun(done, T0.plusSeconds(60), "interrupted")).isZero();
    assertThat(history().failRun(run, T0.plusSeconds(60), "interrupted")).isOne();
    GcRunRecord failed = history().findRun(run).orElseThrow();
    assertThat(failed.status()).isEqualTo(GcRunRecord.Status.FAILED);
    assertThat(failed.log()).hasValueSatisfying(log -> assertThat(log).endsWith("interrupted"));
    assertThat(history().runningRuns()).isEmpty();
  }

  @Test
  void aRunItemCannotRepeatASeqNorBelongToNoRun() {
    String run = "3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d04";
    history().runStarted(runRecord(run));
    GcRunItem item = new GcRunItem(1, GcRunItem.Kind.ORPHAN, List.of(), Optional.of(digest("o")), 9);
    history().appendRunItems(run, List.of(item));

    assertThatThrownBy(() -> history().appendRunItems(run, List.of(item))).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> history().appendRunItems("3f0c5a52-5d1e-4c8e-9a55-0b7a4c7f0d05", List.of(item)))
        .isInstanceOf(RuntimeException.class);
    assertThat(history().runItems(run, 0, 100)).containsExactly(item);
  }

  private static GcRunRecord runRecord(String id) {
    return new GcRunRecord(id, "ops", "api", false, true, Duration.ZERO, GcRunRecord.Status.RUNNING, T0,
        Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.of("host-a/42"), Optional.of(T0));
  }

  // ---- helpers

  protected static Digest digest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
  }

  /** Records blobs named after the seeds (the same seed is the same digest everywhere) into the repository. */
  private List<Digest> blobs(RepositoryName repository, String... seeds) {
    return Arrays.stream(seeds)
        .map(seed -> store.blobs().recordBlob(repository, digest(seed), seed.length(), T0).digest())
        .toList();
  }

  private long adds(ManifestRecord manifest) {
    return store.atomically(tx -> tx.quota().adds(manifest));
  }

  private Optional<String> held(String namespace) {
    return store.atomically(tx -> tx.quota().hold(namespace));
  }

  private Optional<QuotaLedger.Counted> addToCount(ManifestRecord manifest) {
    return store.atomically(tx -> tx.quota().addToCount(manifest));
  }

  /** Sets the state GC's first step sets; the store itself offers no way to, GC will. */
  private void markDeleting(Digest blob) throws SQLException {
    try (Connection c = openConnection()) {
      assertThat(execute(c, "UPDATE blobs SET state = 'deleting' WHERE digest = ?", blob.toString())).isEqualTo(1);
    }
  }

  private static int execute(Connection connection, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      return statement.executeUpdate();
    }
  }

  /**
   * Starts {@code operation} on its own thread, checks that it waits for the uncommitted work of
   * {@code holder}, then commits that work and hands back the operation's outcome.
   */
  private static <T> CompletableFuture<T> waitingFor(Connection holder, Callable<T> operation) throws SQLException {
    CompletableFuture<T> running = CompletableFuture.supplyAsync(() -> {
      try {
        return operation.call();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, NEW_THREAD);
    assertThatThrownBy(() -> running.get(500, TimeUnit.MILLISECONDS)).as("waits for the other transaction")
        .isInstanceOf(TimeoutException.class);
    holder.commit();
    return running;
  }

  protected static ManifestRecord image(RepositoryName repository, String seed, List<Digest> blobs) {
    return manifest(repository, MediaType.OCI_MANIFEST, "image " + seed + " " + blobs, blobs, List.of(),
        Optional.empty(), Optional.empty(), Map.of());
  }

  private static ManifestRecord index(RepositoryName repository, String seed, Digest... children) {
    return manifest(repository, MediaType.OCI_INDEX, "index " + seed + " " + List.of(children), List.of(),
        List.of(children), Optional.empty(), Optional.empty(), Map.of());
  }

  private static ManifestRecord referrer(RepositoryName repository, String seed, List<Digest> blobs, Digest subject,
      String artifactType, Map<String, String> annotations) {
    return manifest(repository, MediaType.OCI_MANIFEST, "referrer " + seed + " of " + subject, blobs, List.of(),
        Optional.of(subject), Optional.ofNullable(artifactType), annotations);
  }

  private static ManifestRecord manifest(RepositoryName repository, MediaType mediaType, String content,
      List<Digest> blobs, List<Digest> children, Optional<Digest> subject, Optional<String> artifactType,
      Map<String, String> annotations) {
    byte[] payload = ("{\"content\":\"" + content + "\"}").getBytes(StandardCharsets.UTF_8);
    return new ManifestRecord(repository, Digest.sha256(payload), mediaType, payload, blobs, children, subject,
        artifactType, annotations);
  }

  private static List<Tag> tags(String... names) {
    return Arrays.stream(names).map(Tag::of).toList();
  }

  private static ManifestDeletion deleted(String... tags) {
    return new ManifestDeletion.Deleted(tags(tags));
  }

  private static Optional<RepositoryName> after(String name) {
    return Optional.of(RepositoryName.of(name));
  }

  private static List<RepositoryName> repositories(String... names) {
    return Arrays.stream(names).map(RepositoryName::of).toList();
  }
}
