package dev.berth.cleanup;

import dev.berth.metadata.BlobLink;
import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.CollectorStore.BlobCandidate;
import dev.berth.metadata.CollectorStore.Guarded;
import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.ManifestEdge;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestNode;
import dev.berth.metadata.UploadRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.BlobStore;
import dev.berth.storage.UploadId;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online mark-and-sweep over the metadata, never over the blob store: it runs while pushes and
 * pulls go on.
 *
 * <p>Mark: per repository, the live manifests are those reachable from the roots (tagged, younger
 * than the grace period, and, unless {@code deleteUntagged}, every manifest without a subject)
 * along index→child and subject→referrer edges. Sweep: every deletion re-checks, in its own
 * transaction and after taking its row lock, that what it deletes is still garbage, so a tag,
 * index or manifest push that committed since the mark is always seen (DESIGN.md, invariant 1).
 * A blob goes in three steps under its digest lock: mark {@code deleting} (no manifest can
 * reference it from then on), delete the bytes, delete the row (invariant 2).
 */
public final class GarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
  /**
   * Blobs and links per transaction: each is one commit (one fsync on SQLite), and a blob batch holds
   * its digests' locks while its bytes are deleted, so batches are large enough to amortise the
   * commit and small enough to keep uploads of those digests waiting briefly (an upload waits only
   * for a digest being collected, whose bytes nothing referenced). The fsyncs wait on a file system
   * journal full of the deleters' unlinks: at 256 a batch, the 125,125 blobs of a 100,000-image
   * collection spent 8.1-9.9 s in their transactions (six runs), at 1,024 6.1-8.8 s (five).
   */
  static final int BATCH = 1024;
  /**
   * Manifests per transaction. A manifest's deletion takes its blob references out of the index by
   * blob, at random places, and every commit writes each page it changed once more. Four times as
   * many per commit rewrote fewer of those pages: 50,000 manifests of a 100,000-image database went
   * in 12.6-13.1 s instead of 17.3-20.3 s (a replay of these deletions, with the metadata store's
   * page cache). Each transaction then holds SQLite's writer for about a quarter of a second.
   */
  static final int MANIFEST_BATCH = 1024;
  /**
   * Blob files deleted at once. Deleting a file and its directory waits on the file system's journal
   * far longer than it uses the CPU (about 0.2-0.3 ms per blob on ext4 here); several in flight
   * overlap those waits, and on object storage the round trips.
   */
  private static final int DELETE_THREADS = 8;
  /**
   * Blob batches whose files are being deleted at once. With two, the transaction that deletes the
   * oldest batch's rows and marks the next one overlaps the file deletions of the batch between.
   */
  private static final int FILE_BATCHES_IN_FLIGHT = 2;

  private final CollectorStore metadata;
  private final BlobStore store;
  private final DigestGuard guard;
  private final Clock clock;
  private final ReentrantLock running = new ReentrantLock();

  public GarbageCollector(CollectorStore metadata, BlobStore store, DigestGuard guard, Clock clock) {
    this.metadata = metadata;
    this.store = store;
    this.guard = guard;
    this.clock = clock;
  }

  public boolean isRunning() {
    return running.isLocked();
  }

  public GcReport run(GcOptions options, GcListener listener) throws IOException {
    if (!running.tryLock()) {
      throw new GcAlreadyRunningException();
    }
    ExecutorService deleters = Executors.newFixedThreadPool(DELETE_THREADS,
        BackgroundThreads.factory(Thread.ofPlatform().name("berth-gc-delete-", 0)));
    try (DigestGuard.Batches guarded = guard.batches()) {
      return new Run(options, listener, deleters, guarded).execute();
    } finally {
      deleters.shutdownNow();
      running.unlock();
    }
  }

  /** The state of one run. */
  private final class Run {
    private final GcOptions options;
    private final GcListener listener;
    private final ExecutorService deleters;
    /** Every digest this run holds, it holds through these. */
    private final DigestGuard.Batches guarded;
    private final Instant started = clock.instant();
    private final Instant cutoff;
    private final List<String> warnings = new ArrayList<>();
    private final Map<RepositoryName, Integer> manifestCounts = new HashMap<>();
    /** Per repository, what this run removed: a dry run needs them to tell which would end up empty. */
    private final Map<RepositoryName, Integer> manifestsRemoved = new HashMap<>();
    private final Map<RepositoryName, Integer> linksRemoved = new HashMap<>();
    private long manifests;
    private long blobs;
    private long orphans;
    private long links;
    private long repositories;
    private long warningCount;
    private int uploads;
    private long bytesFreed;
    /** Garbage but for the grace period: unreferenced blobs touched since the cutoff. */
    private long blobsKeptByGrace;
    /** Manifests live only because they, or a manifest leading to them, are younger than the cutoff. */
    private long manifestsKeptByGrace;

    Run(GcOptions options, GcListener listener, ExecutorService deleters, DigestGuard.Batches guarded) {
      this.options = options;
      this.listener = listener;
      this.deleters = deleters;
      this.guarded = guarded;
      this.cutoff = started.minus(options.grace());
    }

    GcReport execute() throws IOException {
      listener.phase(GcPhase.MARK_MANIFESTS);
      // Nothing holds the garbage manifests (an entry per image to delete) past a real sweep.
      Set<ManifestKey> assumedGone = sweepManifests(markGarbageManifests());

      // Blobs before links: a blob's row takes its links along, so the link sweep is left with the
      // links whose blob another repository still uses.
      listener.phase(GcPhase.SWEEP_BLOBS);
      Set<Digest> blobsGone = sweepBlobs(assumedGone);

      listener.phase(GcPhase.SWEEP_LINKS);
      sweepLinks(assumedGone, blobsGone);

      if (options.orphans()) {
        listener.phase(GcPhase.SWEEP_ORPHANS);
        sweepOrphans();
      }

      listener.phase(GcPhase.PURGE_UPLOADS);
      purgeUploads();

      listener.phase(GcPhase.REMOVE_EMPTY_REPOSITORIES);
      removeEmptyRepositories();

      listener.phase(GcPhase.DONE);
      return new GcReport(options.dryRun(), manifests, blobs, orphans, links, uploads, repositories, bytesFreed,
          Duration.between(started, clock.instant()), warnings, warningCount,
          new GcReport.KeptByGrace(options.grace(), manifestsKeptByGrace, blobsKeptByGrace));
    }

    private Map<ManifestKey, Long> markGarbageManifests() {
      Map<ManifestKey, Long> garbage = new LinkedHashMap<>();
      for (RepositoryName repository : metadata.allRepositories()) {
        List<ManifestNode> nodes = metadata.manifestNodes(repository);
        manifestCounts.put(repository, nodes.size());
        if (nodes.isEmpty()) {
          continue;
        }
        List<ManifestEdge> edges = metadata.manifestEdges(repository);
        Set<Digest> live = reachable(nodes, edges, true);
        Set<Digest> liveWithoutGrace = reachable(nodes, edges, false);
        for (ManifestNode node : nodes) {
          if (!live.contains(node.digest())) {
            garbage.put(new ManifestKey(repository, node.digest()), node.size());
          } else if (!liveWithoutGrace.contains(node.digest())) {
            manifestsKeptByGrace++;
          }
        }
      }
      return garbage;
    }

    /** {@code grace}: whether manifests younger than the cutoff are roots; without, what the grace kept shows. */
    private Set<Digest> reachable(List<ManifestNode> nodes, List<ManifestEdge> edges, boolean grace) {
      Map<Digest, List<Digest>> next = new HashMap<>();
      for (ManifestEdge edge : edges) {
        next.computeIfAbsent(edge.parent(), k -> new ArrayList<>()).add(edge.child());
      }
      ArrayDeque<Digest> queue = new ArrayDeque<>();
      for (ManifestNode node : nodes) {
        node.subject().ifPresent(subject -> next.computeIfAbsent(subject, k -> new ArrayList<>()).add(node.digest()));
        boolean root = node.tagged()
            || (grace && !node.createdAt().isBefore(cutoff))
            || (!options.deleteUntagged() && node.subject().isEmpty());
        if (root) {
          queue.add(node.digest());
        }
      }
      Set<Digest> live = new HashSet<>();
      while (!queue.isEmpty()) {
        Digest digest = queue.poll();
        if (live.add(digest)) {
          queue.addAll(next.getOrDefault(digest, List.of()));
        }
      }
      return live;
    }

    /**
     * Deletes in rounds until nothing more goes: an index must go before its children and a
     * subject before its referrers, and a manifest that became live since the mark stays.
     *
     * @return the manifests the rest of the run must take as gone: after a real sweep they are gone
     *     from the database, so none; a dry run must count them as gone to see what their deletion
     *     would free
     */
    private Set<ManifestKey> sweepManifests(Map<ManifestKey, Long> garbage) {
      listener.phase(GcPhase.SWEEP_MANIFESTS);
      if (options.dryRun()) {
        garbage.forEach((key, size) -> recordManifest(key, size));
        return garbage.keySet();
      }
      Map<ManifestKey, Long> pending = new LinkedHashMap<>(garbage);
      boolean progress = true;
      while (progress && !pending.isEmpty()) {
        progress = false;
        for (List<ManifestKey> batch : batches(List.copyOf(pending.keySet()), MANIFEST_BATCH)) {
          for (ManifestKey deleted : metadata.deleteManifestsIfGarbage(batch, cutoff, options.deleteUntagged())) {
            recordManifest(deleted, pending.remove(deleted));
            progress = true;
          }
        }
      }
      pending.keySet().forEach(key -> LOG.info("kept {}@{}: in use again since the mark", key.repository(), key.digest()));
      return Set.of();
    }

    private void recordManifest(ManifestKey key, long size) {
      manifests++;
      manifestsRemoved.merge(key.repository(), 1, Integer::sum);
      removed(new GcItem.DeletedManifest(key.repository(), key.digest(), size));
    }

    private void removed(GcItem item) {
      bytesFreed += item.size();
      listener.removed(item);
    }

    /**
     * {@code blobsGone}: blobs a dry run would have deleted, whose links would have gone with them.
     * Links are unlinked a batch at a time as the scan finds them: a run that deletes many images can
     * leave a million links unused (the layers only they used, per repository), more than the heap
     * holds at once. Each batch is checked again as it is unlinked, so what the scan read earlier
     * cannot remove a link a push has used since.
     */
    private void sweepLinks(Set<ManifestKey> assumedGone, Set<Digest> blobsGone) {
      List<BlobLink> batch = new ArrayList<>(BATCH);
      metadata.forEachUnusedLink(cutoff, assumedGone, link -> {
        if (!blobsGone.contains(link.digest())) {
          batch.add(link);
          if (batch.size() == BATCH) {
            unlink(batch);
            batch.clear();
          }
        }
      });
      unlink(batch);
    }

    private void unlink(List<BlobLink> batch) {
      for (BlobLink link : options.dryRun() ? batch : metadata.unlinkIfUnused(List.copyOf(batch), cutoff)) {
        links++;
        linksRemoved.merge(link.repository(), 1, Integer::sum);
        removed(new GcItem.DeletedLink(link.repository(), link.digest()));
      }
    }

    /** Answers, for a dry run, the blobs it would delete; a real run's are gone. */
    private Set<Digest> sweepBlobs(Set<ManifestKey> assumedGone) throws IOException {
      List<BlobCandidate> candidates = new ArrayList<>();
      metadata.forEachUnreferencedBlob(cutoff, assumedGone, candidate -> {
        if (candidate.withinGrace()) {
          blobsKeptByGrace++;
        } else {
          candidates.add(candidate);
        }
      });
      Set<Digest> wouldGo = new HashSet<>();
      ArrayDeque<BlobDeletion> inFlight = new ArrayDeque<>();
      try {
        for (List<BlobCandidate> batch : batches(candidates, BATCH)) {
          List<Digest> digests = batch.stream().map(BlobCandidate::digest).toList();
          if (options.dryRun()) {
            Map<Digest, List<RepositoryName>> linked = metadata.linkedRepositories(digests);
            batch.forEach(candidate -> recordBlob(candidate.digest(), candidate.size(), linked));
            wouldGo.addAll(digests);
            continue;
          }
          // The oldest batch in flight, once its files are gone, has its rows deleted in the
          // transaction that marks this one: one commit per batch, while the files of the batches
          // in between are being deleted.
          BlobDeletion oldest = inFlight.size() == FILE_BATCHES_IN_FLIGHT ? inFlight.peekFirst() : null;
          Set<Digest> rowsToDelete = oldest == null ? Set.of() : oldest.filesGone();
          inFlight.addLast(new BlobDeletion(digests, rowsToDelete));
          if (oldest != null) {
            inFlight.removeFirst().rowsDeleted();
          }
        }
        while (!inFlight.isEmpty()) {
          metadata.deleteBlobRows(inFlight.peekFirst().filesGone());
          inFlight.removeFirst().rowsDeleted();
        }
      } finally {
        inFlight.forEach(BlobDeletion::abandon);
      }
      return wouldGo;
    }

    /**
     * One batch of blobs on its way out, under the batch's digest locks from start to end: marked
     * deleting (committed, together with the deletion of an earlier batch's rows) and its files'
     * deletion started when constructed. A row may go only once its bytes are.
     */
    private final class BlobDeletion {
      private final DigestGuard.Held held;
      private final Map<Digest, Long> marked;
      private final Map<Digest, List<RepositoryName>> linked;
      private final List<Map.Entry<Digest, Future<Boolean>>> files = new ArrayList<>();

      /** {@code rowsToDelete}: blobs of an earlier batch whose bytes are gone. */
      BlobDeletion(List<Digest> batch, Set<Digest> rowsToDelete) {
        held = guarded.holdAll(batch);
        try {
          marked = metadata.deleteBlobRowsAndMarkNext(rowsToDelete, batch, cutoff);
          marked.keySet().forEach(listener::blobMarkedDeleting);
          // A blob marked deleting gains no link (a mount of it waits for its lock), so these are final.
          linked = metadata.linkedRepositories(marked.keySet());
          for (Digest digest : spread(List.copyOf(marked.keySet()))) {
            files.add(Map.entry(digest, deleters.submit(() -> store.delete(digest))));
          }
        } catch (RuntimeException | Error e) {
          abandon();
          throw e;
        }
      }

      /** Waits for the batch's files; answers the blobs whose rows may now be deleted. */
      Set<Digest> filesGone() throws IOException {
        for (Digest missing : awaitFiles()) {
          warn("blob " + missing + " had no bytes in storage; removing its row");
        }
        return marked.keySet();
      }

      /** Once the rows are deleted: records the blobs and lets go of their locks. */
      void rowsDeleted() {
        try {
          marked.forEach((digest, size) -> recordBlob(digest, size, linked));
        } finally {
          held.close();
        }
      }

      /**
       * Lets go of a batch that will not finish. Its locks wait for the file deletions already
       * started: an upload of one of these digests must not rename its bytes into place first. The
       * rows stay marked deleting, and the next run takes them up again.
       */
      void abandon() {
        try {
          for (Map.Entry<Digest, Future<Boolean>> file : files) {
            try {
              file.getValue().get();
            } catch (ExecutionException | CancellationException ignored) {
              // Its row stays, marked; the next run tries again.
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              file.getValue().cancel(false);
            }
          }
        } finally {
          held.close();
        }
      }

      /** Answers the digests that had no bytes; throws once every deletion has ended, if one failed. */
      private List<Digest> awaitFiles() throws IOException {
        List<Digest> missing = new ArrayList<>();
        IOException failure = null;
        for (Map.Entry<Digest, Future<Boolean>> file : files) {
          try {
            if (!file.getValue().get()) {
              missing.add(file.getKey());
            }
          } catch (ExecutionException e) {
            failure = failure == null ? new IOException("cannot delete blob " + file.getKey(), e.getCause()) : failure;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while deleting blobs");
          }
        }
        if (failure != null) {
          throw failure;
        }
        return missing;
      }
    }

    /**
     * The batch's digests in the order their files are deleted: every {@code DELETE_THREADS}-th, so
     * that the deletions running at once are far apart in digest order. A batch is consecutive
     * digests, and stores group neighbours: the filesystem store's directory per leading byte, whose
     * lock each deletion takes to remove the blob's own directory. Deleted in digest order, the 8
     * deleters queued on one such lock; 6,000 blob directories on this project's VM took 2.5-2.8 s
     * in order and 1.9-2.3 s spread (8 threads, Python, root disk), and a collection of 6,211 blobs
     * 2.9-3.4 s instead of 3.5 s (bench/gc, K=5,000, three runs each).
     */
    private static List<Digest> spread(List<Digest> batch) {
      int stride = Math.ceilDiv(batch.size(), DELETE_THREADS);
      List<Digest> order = new ArrayList<>(batch.size());
      for (int first = 0; first < stride; first++) {
        for (int i = first; i < batch.size(); i += stride) {
          order.add(batch.get(i));
        }
      }
      return order;
    }

    /**
     * Bytes with no row. Under the digest's guard "no row" is final: an upload holds it from putting
     * its bytes into place until their row commits, so it is never caught in between.
     */
    private void sweepOrphans() throws IOException {
      List<Digest> stored = new ArrayList<>();
      store.forEachBlob(stored::add);
      for (Digest digest : stored) {
        try (DigestGuard.Held held = guarded.holdAll(List.of(digest))) {
          if (metadata.blobRowExists(digest)) {
            continue;
          }
          long size = store.stat(digest).orElse(0L);
          if (!options.dryRun() && !store.delete(digest)) {
            continue;
          }
          orphans++;
          removed(new GcItem.DeletedOrphan(digest, size));
        }
      }
    }

    private void recordBlob(Digest digest, long size, Map<Digest, List<RepositoryName>> linked) {
      List<RepositoryName> repositories = linked.getOrDefault(digest, List.of());
      blobs++;
      repositories.forEach(repository -> linksRemoved.merge(repository, 1, Integer::sum));
      removed(new GcItem.DeletedBlob(digest, size, repositories));
    }

    private void purgeUploads() throws IOException {
      Instant idleSince = started.minus(options.uploadMaxAge());
      Set<UploadId> purged = new HashSet<>();
      for (UploadRecord upload : metadata.idleUploads(idleSince)) {
        if (!options.dryRun()) {
          store.deleteUpload(upload.id());
          metadata.deleteUpload(upload.id());
        }
        purged.add(upload.id());
      }
      // Staged bytes whose session row never committed or was lost (a crash between the two).
      List<UploadId> orphans = new ArrayList<>();
      store.forEachUpload((id, modified) -> {
        if (modified.isBefore(idleSince) && !purged.contains(id) && !metadata.knowsUpload(id)) {
          orphans.add(id);
        }
      });
      for (UploadId id : orphans) {
        if (!options.dryRun()) {
          store.deleteUpload(id);
        }
        purged.add(id);
      }
      uploads = purged.size();
    }

    private void removeEmptyRepositories() {
      List<RepositoryName> empty = options.dryRun() ? wouldBeEmpty() : metadata.emptyRepositories();
      for (RepositoryName repository : empty) {
        if (options.dryRun() || metadata.deleteRepositoryIfEmpty(repository) == Guarded.DELETED) {
          repositories++;
          removed(new GcItem.RemovedRepository(repository));
        }
      }
    }

    /** Repositories whose every manifest and every link this run would remove. */
    private List<RepositoryName> wouldBeEmpty() {
      Map<RepositoryName, Integer> linkCounts = metadata.linkCounts();
      List<RepositoryName> empty = new ArrayList<>();
      for (RepositoryName repository : manifestCounts.keySet().stream().sorted().toList()) {
        int remainingManifests = manifestCounts.get(repository) - manifestsRemoved.getOrDefault(repository, 0);
        int remainingLinks = linkCounts.getOrDefault(repository, 0) - linksRemoved.getOrDefault(repository, 0);
        if (remainingManifests <= 0 && remainingLinks <= 0) {
          empty.add(repository);
        }
      }
      return empty;
    }

    private static <T> List<List<T>> batches(List<T> items, int size) {
      List<List<T>> batches = new ArrayList<>();
      for (int from = 0; from < items.size(); from += size) {
        batches.add(items.subList(from, Math.min(items.size(), from + size)));
      }
      return batches;
    }

    private void warn(String message) {
      LOG.warn(message);
      if (warningCount++ < GcReport.WARNINGS_KEPT) {
        warnings.add(message);
      }
      listener.warning(message);
    }
  }
}
