package dev.berth.adopt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.metadata.ImportBatch;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.MetadataStore;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.InvalidManifestException;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.storage.RegistryTree;
import dev.berth.storage.RegistryTree.Link;
import dev.berth.storage.RegistryTree.RepositoryDirectory;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Builds Berth's metadata for a Docker Registry 2.x storage root in place: blobs stay where they
 * are, and what Docker Registry's link files say exists becomes blob links, manifests and tags.
 *
 * <p>One repository at a time: its layer links, then its image manifests, then its indexes (each
 * once its children are recorded), then its tags, so nothing is written before what it references,
 * and only one repository's digests are ever held. What the repositories hold goes to the metadata
 * store in transactions of up to {@link #BATCH} blobs, manifests and tags, an {@link ImportBatch}
 * of a few statements for each repository in it. Every write is idempotent (a manifest or link already
 * there is left as it is), so a second run, or a run after one that was killed, ends with the same
 * metadata.
 */
public final class RegistryImport {
  /**
   * Items per transaction: about three repositories of the benchmark's (1,000 manifests, 3,600
   * layer links, 500 tags). The indexes by blob take a transaction's rows at as many places as there
   * are blobs, so a larger one changes fewer pages per row.
   */
  static final int BATCH = 16384;
  private static final int PROGRESS_EVERY = 256;
  /** Repositories read at once; two keep both cores (or the disk) busy while the database writes. */
  static final int READERS = 2;
  /** Blob sizes remembered (a few MiB): every layer shared across repositories, in a root of the usual shape. */
  private static final int SIZES_KEPT = 65_536;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryTree tree;
  private final int maxManifestBytes;
  private final Clock clock;
  private final int batch;

  public RegistryImport(RegistryTree tree, int maxManifestBytes, Clock clock) {
    this(tree, maxManifestBytes, clock, BATCH);
  }

  /** With batches of {@code batch} items: tests interrupt a run between two of them. */
  RegistryImport(RegistryTree tree, int maxManifestBytes, Clock clock, int batch) {
    this.tree = tree;
    this.maxManifestBytes = maxManifestBytes;
    this.clock = clock;
    this.batch = batch;
  }

  /** Reports what a real run would record, writing nothing anywhere. */
  public ImportReport dryRun(ImportListener listener) throws IOException {
    ImportReport report = new ImportReport(true);
    new Run(report, listener, Optional.empty()).all();
    // After the walk, so that the progress line's rate is the walk's.
    report.blobs = java.util.OptionalLong.of(tree.countBlobs());
    report.finish();
    return report;
  }

  /**
   * Records everything consistent into {@code metadata} and reports the rest. Into an empty store,
   * the tables are loaded first and their lookup indexes built after; a run that fails leaves that
   * to the next opening of the store.
   */
  public ImportReport run(MetadataStore metadata, ImportListener listener) throws IOException {
    ImportReport report = new ImportReport(false);
    boolean deferred = metadata.manifests().deferIndexesForImport();
    new Run(report, listener, Optional.of(metadata)).all();
    if (deferred) {
      long start = System.nanoTime();
      metadata.manifests().buildDeferredIndexes();
      report.indexesBuilt(Duration.ofNanos(System.nanoTime() - start));
    }
    report.finish();
    return report;
  }

  private final class Run {
    private final ImportReport report;
    private final ImportListener listener;
    /** Empty in a dry run, which only counts. */
    private final Optional<Writer> writer;
    /** Batches of the repositories read so far, not yet handed to the writer, with where their manifests came from. */
    private final List<ImportBatch> pending = new ArrayList<>();
    private Map<ManifestKey, List<String>> pendingSources = new HashMap<>();
    private int pendingItems;

    Run(ImportReport report, ImportListener listener, Optional<MetadataStore> metadata) {
      this.report = report;
      this.listener = listener;
      this.writer = metadata.map(Writer::new);
    }

    /** Repositories being read, in the walk's order; the first one's findings apply as they come. */
    private final ArrayDeque<Turn> turns = new ArrayDeque<>();
    /**
     * The sizes of blobs found, the most recently asked for kept: a layer many repositories share (a
     * base image's) is linked into each of them, and every link names the same data file to stat.
     */
    private final Map<Digest, Long> sizes = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Digest, Long> eldest) {
        return size() > SIZES_KEPT;
      }
    };

    private Optional<Long> blobSize(Digest digest) throws IOException {
      synchronized (sizes) {
        Long known = sizes.get(digest);
        if (known != null) {
          return Optional.of(known);
        }
      }
      Optional<Long> size = tree.blobSize(digest);
      if (size.isPresent()) {
        synchronized (sizes) {
          sizes.put(digest, size.get());
        }
      }
      return size;
    }
    /** What stopped the run, the first thing that did; later findings are dropped. */
    private Throwable failure;

    /**
     * Reads {@link #READERS} repositories at once, each on a thread of its own: on a root that is not
     * in the page cache, reading waits on the disk, one file at a time per thread. What each finds
     * (counts, reports, batches) applies in the walk's order, so reports come as from one reader.
     */
    void all() throws IOException {
      ExecutorService readers = Executors.newFixedThreadPool(READERS, daemon("import-reader"));
      Semaphore reading = new Semaphore(READERS);
      try {
        tree.forEachRepository(directory -> {
          acquire(reading, 1);
          Turn turn = new Turn();
          readers.execute(() -> {
            try {
              new RepositoryImport(directory, turn).run();
            } catch (Throwable e) {
              fail(e);
            } finally {
              turn.done();
              reading.release();
            }
          });
          synchronized (this) {
            if (failure != null) {
              throw new Stopped();
            }
          }
        });
      } catch (Stopped e) {
        // The failure is thrown below, once no repository is being read.
      } catch (IOException | RuntimeException | Error e) {
        fail(e);
      } finally {
        acquire(reading, READERS);
        readers.shutdown();
        try {
          synchronized (this) {
            if (failure == null) {
              handOver();
              writer.ifPresent(Writer::finish);
            }
          }
        } finally {
          writer.ifPresent(Writer::close);
        }
      }
      synchronized (this) {
        if (failure instanceof IOException e) {
          throw e;
        } else if (failure instanceof RuntimeException e) {
          throw e;
        } else if (failure instanceof Error e) {
          throw e;
        } else if (failure != null) {
          throw new IllegalStateException(failure);
        }
      }
      listener.progress(report);
    }

    private synchronized void fail(Throwable e) {
      if (failure == null) {
        failure = e;
      }
      notifyAll();
    }

    /** Ends a repository's reading once the run failed. */
    private static final class Stopped extends RuntimeException {
      Stopped() {
        super("stopped", null, false, false);
      }
    }

    /**
     * One repository's place in the walk's order. Its findings apply at once while every repository
     * before it is done; until then they are held, up to a transaction's worth of items, beyond which
     * its reader waits: at most {@link #READERS} repositories' findings are held.
     */
    private final class Turn {
      private final List<Runnable> held = new ArrayList<>();
      private int heldItems;
      private boolean first;
      private boolean done;

      Turn() {
        synchronized (Run.this) {
          first = turns.isEmpty();
          turns.addLast(this);
        }
      }

      /** Applies {@code findings} (with {@code items} items for the writer) in the walk's order. */
      void apply(Runnable findings, int items) {
        synchronized (Run.this) {
          while (!first && items > 0 && heldItems >= batch && failure == null) {
            try {
              Run.this.wait();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted while reading a repository", e);
            }
          }
          if (failure != null) {
            throw new Stopped();
          }
          if (first) {
            findings.run();
          } else {
            held.add(findings);
            heldItems += items;
          }
        }
      }

      /** This repository is read: the next one's findings apply, those held first. */
      void done() {
        synchronized (Run.this) {
          done = true;
          while (!turns.isEmpty() && turns.getFirst().done) {
            turns.removeFirst();
            Turn next = turns.peekFirst();
            if (next != null) {
              next.first = true;
              try {
                if (failure == null) {
                  next.held.forEach(Runnable::run);
                }
              } catch (Throwable e) {
                fail(e);
              }
              next.held.clear();
              next.heldItems = 0;
            }
          }
          Run.this.notifyAll();
        }
      }
    }

    /** Queues a repository's batch; once the queue holds a transaction's worth, the writer takes it. */
    private void queue(ImportBatch batch, Map<Digest, List<String>> sources) {
      pending.add(batch);
      sources.forEach((digest, locations) -> pendingSources.put(new ManifestKey(batch.repository(), digest), locations));
      pendingItems += batch.size();
      if (pendingItems >= RegistryImport.this.batch) {
        handOver();
      }
    }

    private void handOver() {
      if (writer.isEmpty() || pending.isEmpty()) {
        return;
      }
      writer.get().write(List.copyOf(pending), pendingSources);
      pending.clear();
      pendingSources = new HashMap<>();
      pendingItems = 0;
    }

    /**
     * Writes one transaction at a time on a thread of its own while the import reads the next: reading is
     * file system calls and parsing, writing is the database's, so on two cores they overlap.
     * What the store refused of a batch is reported on the import's thread, when the next batch is
     * handed over or at the end.
     */
    private final class Writer implements AutoCloseable {
      private final MetadataStore store;
      private final ExecutorService thread = Executors.newSingleThreadExecutor(daemon("import-writer"));
      private Future<List<ImportBatch.Refusal>> running;
      private Map<ManifestKey, List<String>> runningSources = Map.of();

      Writer(MetadataStore store) {
        this.store = store;
      }

      /** Hands the batches over once the ones before them are written; {@code sources} name where each manifest came from. */
      void write(List<ImportBatch> batches, Map<ManifestKey, List<String>> sources) {
        finish();
        running = thread.submit(() -> store.manifests().importBatches(batches, clock.instant()));
        runningSources = sources;
      }

      /** Waits for the batch being written, and reports each manifest the store refused at each place it came from. */
      void finish() {
        if (running == null) {
          return;
        }
        List<ImportBatch.Refusal> refusals;
        try {
          refusals = running.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while a batch of the import was written", e);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException failure) {
            throw failure;
          }
          throw new IllegalStateException("a batch of the import failed", e.getCause());
        } finally {
          running = null;
        }
        for (ImportBatch.Refusal refusal : refusals) {
          for (String location : runningSources.get(new ManifestKey(refusal.repository(), refusal.manifest()))) {
            inconsistency(Inconsistency.Kind.REFUSED, location, refusal.missing().getMessage());
          }
        }
      }

      /** Returns once nothing is being written, also when the import failed: its caller may read the metadata then. */
      @Override
      public void close() {
        thread.shutdown();
        try {
          thread.awaitTermination(1, TimeUnit.DAYS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void inconsistency(Inconsistency.Kind kind, String location, String detail) {
      report.inconsistencies.merge(kind, 1L, Long::sum);
      listener.inconsistency(new Inconsistency(kind, location, detail));
    }

    /** The state of one repository while it is imported: its digests, never another's. */
    private final class RepositoryImport {
      private RepositoryName name;
      private final RepositoryDirectory directory;
      private final Turn turn;
      /** Counts since they were last applied to the run's report. */
      private ImportReport report = new ImportReport(writer.isEmpty());
      /** Blobs the repository may serve: layer links whose blob has data, and links added for manifests. */
      private final Set<Digest> linked = new HashSet<>();
      /** Manifests recorded (or, in a dry run, that would be). */
      private final Set<Digest> recorded = new HashSet<>();
      /** Manifests seen and skipped, so that tags on them say why they are not created. */
      private final Set<Digest> skipped = new HashSet<>();
      private final Map<Digest, List<TagLink>> tagsByManifest = new LinkedHashMap<>();
      /** Indexes wait for their children; they are few beside image manifests. */
      private final Map<Digest, Pending> indexes = new LinkedHashMap<>();

      private record Pending(ManifestRecord record, String location) {}

      /** What the next {@link ImportBatch} writes; empty in a dry run, which only counts. */
      private final List<ImportBatch.Blob> blobs = new ArrayList<>();
      private final List<ManifestRecord> manifests = new ArrayList<>();
      private final List<ImportBatch.TagLink> tags = new ArrayList<>();
      /** Where each batched manifest's writes come from (its tag links, else its revision link), for refusals. */
      private Map<Digest, List<String>> sources = new HashMap<>();

      private record TagLink(Tag tag, String location) {}

      RepositoryImport(RepositoryDirectory directory, Turn turn) {
        this.directory = directory;
        this.turn = turn;
      }

      void run() throws IOException {
        if (directory.empty()) {
          inconsistency(Inconsistency.Kind.EMPTY_REPOSITORY, directory.location(), "no layers, manifests, tags or uploads");
          return;
        }
        try {
          name = RepositoryName.of(directory.name());
        } catch (OciFormatException e) {
          inconsistency(Inconsistency.Kind.INVALID_NAME, directory.location(), e.getMessage());
          return;
        }
        report.repositories++;
        read();
        progress();
      }

      private void read() throws IOException {
        tree.forEachUpload(directory, (id, location) -> report.uploads++);
        tree.forEachLayerLink(directory, this::layerLink);
        tree.forEachTagLink(directory, this::tagLink);
        tree.forEachRevisionLink(directory, this::revision);
        resolveIndexes();
        flush();
        tagsLeft();
      }

      private void queued() {
        if (blobs.size() + manifests.size() + tags.size() >= batch) {
          flush();
        }
      }

      private void inconsistency(Inconsistency.Kind kind, String location, String detail) {
        report.inconsistencies.merge(kind, 1L, Long::sum);
        Inconsistency found = new Inconsistency(kind, location, detail);
        turn.apply(() -> listener.inconsistency(found), 0);
      }

      /** Adds the counts so far to the run's report, and shows it. */
      private void progress() {
        ImportReport counted = report;
        report = new ImportReport(writer.isEmpty());
        turn.apply(() -> {
          Run.this.report.add(counted);
          listener.progress(Run.this.report);
        }, 0);
      }

      /**
       * Queues what was read as a batch for the writer. A manifest the store refuses (something
       * changed under the import) is reported, at each place it would have been written from; the
       * rest stays.
       */
      private void flush() {
        if (writer.isEmpty() || blobs.size() + manifests.size() + tags.size() == 0) {
          return;
        }
        ImportBatch batch = new ImportBatch(name, blobs, manifests, tags);
        Map<Digest, List<String>> from = sources;
        turn.apply(() -> queue(batch, from), batch.size());
        blobs.clear();
        manifests.clear();
        tags.clear();
        sources = new HashMap<>();
      }

      /** The digest a link names; empty when Docker Registry deleted it, or (reported) when it is garbage. */
      private Optional<Digest> linkTarget(Link link, boolean keyIsDigest) {
        if (link.content().isEmpty()) {
          report.deletedLinks++;
          return Optional.empty();
        }
        String text = link.content().get();
        Optional<Digest> target = parseDigest(text);
        if (target.isEmpty() || (keyIsDigest && !target.get().toString().equals(link.key()))) {
          inconsistency(Inconsistency.Kind.LINK_GARBAGE, link.location(),
              "holds \"" + printable(text) + "\"" + (keyIsDigest ? ", not " + link.key() : ""));
          return Optional.empty();
        }
        return target;
      }

      private void layerLink(Link link) throws IOException {
        report.layerLinks++;
        Optional<Digest> digest = linkTarget(link, true);
        if (digest.isEmpty()) {
          return;
        }
        Optional<Long> size = blobSize(digest.get());
        if (size.isEmpty()) {
          inconsistency(Inconsistency.Kind.LAYER_BLOB_MISSING, link.location(), "no data for " + digest.get());
          return;
        }
        link(digest.get(), size.get(), link.location());
      }

      private void link(Digest digest, long size, String location) {
        linked.add(digest);
        report.layerLinksRecorded++;
        if (writer.isPresent()) {
          blobs.add(new ImportBatch.Blob(digest, size));
          queued();
        }
      }

      private void tagLink(Link link) {
        report.tags++;
        Tag tag;
        try {
          tag = Tag.of(link.key());
        } catch (OciFormatException e) {
          inconsistency(Inconsistency.Kind.INVALID_NAME, link.location(), e.getMessage());
          return;
        }
        linkTarget(link, false).ifPresent(digest -> {
          tagsByManifest.computeIfAbsent(digest, d -> new ArrayList<>(1)).add(new TagLink(tag, link.location()));
        });
      }

      private void revision(Link link) throws IOException {
        Optional<Digest> digest = linkTarget(link, true);
        if (digest.isEmpty()) {
          return;
        }
        Optional<ManifestRecord> record = manifest(digest.get(), link.location());
        if (record.isEmpty()) {
          skipped.add(digest.get());
        } else if (record.get().mediaType().isIndex()) {
          indexes.put(digest.get(), new Pending(record.get(), link.location()));
        } else if (blobsPresent(record.get(), link.location())) {
          record(record.get(), link.location());
        } else {
          skipped.add(digest.get());
        }
        if (report.manifests % PROGRESS_EVERY == 0) {
          progress();
        }
      }

      /** The manifest's bytes, checked and parsed; empty (and reported) when Berth cannot take it. */
      private Optional<ManifestRecord> manifest(Digest digest, String location) throws IOException {
        Optional<byte[]> bytes = tree.readBlob(digest, maxManifestBytes);
        if (bytes.isEmpty()) {
          if (blobSize(digest).isPresent()) {
            inconsistency(Inconsistency.Kind.MANIFEST_INVALID, location,
                digest + " is larger than storage.manifests.maxsize (" + maxManifestBytes + " bytes)");
          } else {
            inconsistency(Inconsistency.Kind.REVISION_BLOB_MISSING, location, "no data for " + digest);
          }
          return Optional.empty();
        }
        byte[] payload = bytes.get();
        if (!Digest.compute(digest.algorithm(), payload).equals(digest)) {
          inconsistency(Inconsistency.Kind.MANIFEST_INVALID, location, "the bytes of " + digest + " do not hash to it");
          return Optional.empty();
        }
        Manifest manifest;
        try {
          manifest = ManifestParser.parse(payload, Optional.empty());
        } catch (InvalidManifestException e) {
          if (isSchema1(payload)) {
            report.manifestFound("schema 1");
            inconsistency(Inconsistency.Kind.SCHEMA1, location, digest.toString());
          } else {
            inconsistency(Inconsistency.Kind.MANIFEST_INVALID, location, digest + ": " + e.getMessage());
          }
          return Optional.empty();
        }
        report.manifestFound(manifest.mediaType().value());
        return Optional.of(new ManifestRecord(name, digest, manifest.mediaType(), payload,
            manifest.referencedBlobs().stream().map(Descriptor::digest).distinct().toList(),
            manifest.manifests().stream().map(Descriptor::digest).distinct().toList(),
            manifest.subject().map(Descriptor::digest), manifest.effectiveArtifactType(), manifest.annotations()));
      }

      /**
       * Whether every blob the manifest names has data. One with data but no layer link in this
       * repository is linked: Docker Registry served the manifest, and Berth only serves it linked.
       */
      private boolean blobsPresent(ManifestRecord manifest, String location) throws IOException {
        List<Digest> missing = new ArrayList<>();
        for (Digest blob : manifest.blobs()) {
          if (linked.contains(blob)) {
            continue;
          }
          Optional<Long> size = blobSize(blob);
          if (size.isEmpty()) {
            missing.add(blob);
          } else {
            inconsistency(Inconsistency.Kind.MANIFEST_BLOB_UNLINKED, location, manifest.digest() + " names " + blob);
            link(blob, size.get(), location);
          }
        }
        if (!missing.isEmpty()) {
          inconsistency(Inconsistency.Kind.MANIFEST_BLOB_MISSING, location, manifest.digest() + " names " + missing);
          return false;
        }
        return true;
      }

      /** Records the manifest with each of its tags. */
      private void record(ManifestRecord manifest, String location) {
        recorded.add(manifest.digest());
        report.manifestsRecorded++;
        List<TagLink> links = tagsByManifest.remove(manifest.digest());
        if (links != null) {
          report.tagsRecorded += links.size();
        }
        if (writer.isEmpty()) {
          return;
        }
        manifests.add(manifest);
        if (links == null) {
          sources.put(manifest.digest(), List.of(location));
        } else {
          links.forEach(link -> tags.add(new ImportBatch.TagLink(link.tag(), manifest.digest())));
          sources.put(manifest.digest(), links.stream().map(TagLink::location).toList());
        }
        queued();
      }

      /** Indexes whose children are all recorded, until none is left or none can be. */
      private void resolveIndexes() {
        boolean progress = true;
        while (progress && !indexes.isEmpty()) {
          progress = false;
          for (var entry : List.copyOf(indexes.entrySet())) {
            if (recorded.containsAll(entry.getValue().record().children())) {
              indexes.remove(entry.getKey());
              record(entry.getValue().record(), entry.getValue().location());
              progress = true;
            }
          }
        }
        indexes.forEach((digest, index) -> {
          skipped.add(digest);
          inconsistency(Inconsistency.Kind.INDEX_CHILD_MISSING, index.location(), digest + " names "
              + index.record().children().stream().filter(child -> !recorded.contains(child)).toList());
        });
      }

      /** Tags left over point at no recorded manifest: they are reported, not created. */
      private void tagsLeft() throws IOException {
        for (var entry : tagsByManifest.entrySet()) {
          Digest digest = entry.getKey();
          for (TagLink link : entry.getValue()) {
            Tag tag = link.tag();
            String location = link.location();
            if (skipped.contains(digest)) {
              inconsistency(Inconsistency.Kind.TAG_MANIFEST_MISSING, location,
                  tag + " -> " + digest + ", which was not recorded (reported above)");
            } else if (blobSize(digest).isEmpty()) {
              inconsistency(Inconsistency.Kind.TAG_BLOB_MISSING, location, tag + " -> " + digest + ", which has no data");
            } else {
              inconsistency(Inconsistency.Kind.TAG_MANIFEST_MISSING, location,
                  tag + " -> " + digest + ", which has no revision link in " + name);
            }
          }
        }
      }
    }
  }

  private static ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void acquire(Semaphore semaphore, int permits) {
    try {
      semaphore.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while repositories were read", e);
    }
  }

  private static Optional<Digest> parseDigest(String text) {
    try {
      return Optional.of(Digest.parse(text));
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }

  /** A link's text as a report can show it: short, on one line. */
  private static String printable(String text) {
    String line = text.replaceAll("\\p{Cntrl}", "?");
    return line.length() > 80 ? line.substring(0, 77) + "..." : line;
  }

  /** Schema 1 (signed or not) declares {@code schemaVersion: 1}; only asked of what did not parse. */
  private static boolean isSchema1(byte[] payload) {
    try {
      JsonNode root = JSON.readTree(payload);
      return root != null && root.path("schemaVersion").asInt() == 1;
    } catch (IOException e) {
      return false;
    }
  }
}
