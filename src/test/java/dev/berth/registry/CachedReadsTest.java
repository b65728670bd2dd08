package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.BlobLink;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.MissingReferencesException;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read cache in front of the metadata store never answers with something a write that has
 * returned took away, on the real SQLite store; and caches nothing in front of a store that cannot
 * report every change.
 */
class CachedReadsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant LATER = T0.plusSeconds(3600);
  private static final RepositoryName APP = RepositoryName.of("team/app");
  private static final Tag LATEST = Tag.of("latest");

  @TempDir Path dir;

  private SqlMetadataStore store;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Runs inside the next store read, after the database answered: a write racing with that read. */
  private Runnable duringNextRead = () -> { };

  @BeforeEach
  void open() {
    store = SqlMetadataStore.sqlite(dir.resolve("metadata.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aRepeatedReadIsServedFromMemory() {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord image = image("one");
    push(image, Optional.of(LATEST), T0);

    for (int i = 0; i < 3; i++) {
      assertThat(reads.resolveTag(APP, LATEST)).contains(image.digest());
      assertThat(reads.findManifest(APP, image.digest())).isPresent();
      assertThat(reads.findLinkedBlob(APP, image.blobs().get(0))).isPresent();
    }

    assertThat(calls("resolveTag")).isEqualTo(1);
    assertThat(calls("findManifest")).isEqualTo(1);
    assertThat(calls("findLinkedBlob")).isEqualTo(1);
  }

  @Test
  void aMovedTagIsSeenAsSoonAsThePushReturns() {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord first = image("one");
    ManifestRecord second = image("two");
    push(first, Optional.of(LATEST), T0);
    assertThat(reads.resolveTag(APP, LATEST)).contains(first.digest());

    push(second, Optional.of(LATEST), T0);

    assertThat(reads.resolveTag(APP, LATEST)).contains(second.digest());
  }

  @Test
  void deletedTagsManifestsAndLinksAreGoneAsSoonAsTheDeleteReturns() {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord image = image("one");
    push(image, Optional.of(LATEST), T0);
    Digest loose = store.blobs().recordBlob(APP, digest("loose"), 5, T0).digest();
    warm(reads, image, loose);

    store.manifests().deleteTag(APP, LATEST);
    assertThat(reads.resolveTag(APP, LATEST)).isEmpty();

    store.manifests().deleteManifest(APP, image.digest());
    assertThat(reads.findManifest(APP, image.digest())).isEmpty();

    store.blobs().unlinkBlob(APP, loose);
    assertThat(reads.findLinkedBlob(APP, loose)).isEmpty();
  }

  @Test
  void whatGarbageCollectionTakesIsGoneAsSoonAsEachBatchReturns() {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord image = image("one");
    push(image, Optional.empty(), T0);
    Digest layer = image.blobs().get(0);
    Digest loose = store.blobs().recordBlob(APP, digest("loose"), 5, T0).digest();
    Digest shared = store.blobs().recordBlob(RepositoryName.of("team/other"), digest("shared"), 6, T0).digest();
    store.blobs().mountBlob(RepositoryName.of("team/other"), APP, shared, T0);
    assertThat(reads.findManifest(APP, image.digest())).isPresent();
    assertThat(reads.findLinkedBlob(APP, loose)).isPresent();
    assertThat(reads.findLinkedBlob(APP, shared)).isPresent();

    assertThat(store.collector().deleteManifestsIfGarbage(List.of(new ManifestKey(APP, image.digest())), LATER, true)).hasSize(1);
    assertThat(reads.findManifest(APP, image.digest())).isEmpty();

    assertThat(store.collector().unlinkIfUnused(List.of(new BlobLink(APP, loose)), LATER)).hasSize(1);
    assertThat(reads.findLinkedBlob(APP, loose)).isEmpty();

    // Marking a blob "deleting" takes it from every repository it is linked into at once.
    assertThat(reads.findLinkedBlob(APP, layer)).isPresent();
    assertThat(store.collector().deleteBlobRowsAndMarkNext(List.of(), List.of(layer, shared), LATER)).containsOnlyKeys(layer, shared);
    assertThat(reads.findLinkedBlob(APP, layer)).isEmpty();
    assertThat(reads.findLinkedBlob(APP, shared)).isEmpty();
  }

  @Test
  void aValueReadBeforeARacingWriteIsNotServedAfterIt() {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord first = image("one");
    ManifestRecord second = image("two");
    push(first, Optional.of(LATEST), T0);
    // The database answers "first"; before that answer is cached the tag moves and the push returns.
    duringNextRead = () -> push(second, Optional.of(LATEST), T0);

    assertThat(reads.resolveTag(APP, LATEST)).contains(first.digest());

    assertThat(reads.resolveTag(APP, LATEST)).contains(second.digest());
    assertThat(reads.resolveTag(APP, LATEST)).contains(second.digest());
    assertThat(calls("resolveTag")).isEqualTo(2);
  }

  /**
   * Inside one transaction of several calls, changes are reported only after the commit: a reader
   * that filled the cache from the not yet committed state meanwhile is not believed afterwards.
   */
  @Test
  void aChangeInsideALargerTransactionIsReportedAfterItsCommit() throws Exception {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord image = image("one");
    push(image, Optional.of(LATEST), T0);

    store.atomically(tx -> {
      tx.manifests().deleteTag(APP, LATEST);
      Optional<Digest>[] seenMeanwhile = new Optional[1];
      Thread reader = Thread.ofPlatform().start(() -> seenMeanwhile[0] = reads.resolveTag(APP, LATEST));
      join(reader);
      assertThat(seenMeanwhile[0]).as("uncommitted delete not visible to others").contains(image.digest());
      return null;
    });

    assertThat(reads.resolveTag(APP, LATEST)).isEmpty();
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void whatWasNotFoundIsAskedAgain() {
    CachedReads reads = new CachedReads(counting(true));
    ManifestRecord image = image("one");
    assertThat(reads.resolveTag(APP, LATEST)).isEmpty();

    push(image, Optional.of(LATEST), T0);

    assertThat(reads.resolveTag(APP, LATEST)).contains(image.digest());
  }

  @Test
  void nothingIsCachedInFrontOfAStoreThatCannotReportEveryChange() {
    CachedReads reads = new CachedReads(counting(false));
    ManifestRecord image = image("one");
    push(image, Optional.of(LATEST), T0);

    for (int i = 0; i < 3; i++) {
      assertThat(reads.resolveTag(APP, LATEST)).contains(image.digest());
      assertThat(reads.findManifest(APP, image.digest())).isPresent();
    }

    assertThat(calls("resolveTag")).isEqualTo(3);
    assertThat(calls("findManifest")).isEqualTo(3);
  }

  private void push(ManifestRecord manifest, Optional<Tag> tag, Instant at) {
    try {
      store.manifests().putManifest(manifest, tag, at);
    } catch (MissingReferencesException e) {
      throw new AssertionError(e);
    }
  }

  private static void warm(CachedReads reads, ManifestRecord image, Digest loose) {
    assertThat(reads.resolveTag(APP, LATEST)).contains(image.digest());
    assertThat(reads.findManifest(APP, image.digest())).isPresent();
    assertThat(reads.findLinkedBlob(APP, loose)).isPresent();
  }

  private int calls(String method) {
    return calls.getOrDefault(method, new AtomicInteger()).get();
  }

  /** The real store, counting reads; {@code reportsChanges} false stands for a store shared between processes. */
  private MetadataStore counting(boolean reportsChanges) {
    return counting(MetadataStore.class, store, reportsChanges);
  }

  /** {@code target} as a {@code type}, counting calls; the per-concern stores it hands out count theirs. */
  private <T> T counting(Class<T> type, Object target, boolean reportsChanges) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("subscribe") && !reportsChanges) {
        return false;
      }
      if (method.getName().equals("blobs") || method.getName().equals("manifests")) {
        return counting(method.getReturnType(), method.invoke(target, args), reportsChanges);
      }
      calls.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      } finally {
        if (method.getName().startsWith("find") || method.getName().startsWith("resolve")) {
          Runnable write = duringNextRead;
          duringNextRead = () -> { };
          write.run();
        }
      }
    };
    return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler));
  }

  private ManifestRecord image(String seed) {
    Digest layer = store.blobs().recordBlob(APP, digest("layer " + seed), 10, T0).digest();
    byte[] payload = ("{\"image\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
    return new ManifestRecord(APP, Digest.sha256(payload), MediaType.OCI_MANIFEST, payload, List.of(layer),
        List.of(), Optional.empty(), Optional.empty(), Map.of());
  }

  private static Digest digest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
  }
}
