package dev.berth.metadata.sql;

import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.BlobLink;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.ManifestEdge;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestNode;
import dev.berth.metadata.UploadRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * The garbage collector's and fsck's queries: the reference graph, and the guarded deletions that
 * re-judge their batch inside their own transaction.
 */
final class SqlCollector implements CollectorStore {

  private final SqlTransactions tx;
  /** Upload sessions are the blob store's; the collector asks it about them. */
  private final SqlBlobs blobs;

  SqlCollector(SqlTransactions tx, SqlBlobs blobs) {
    this.tx = tx;
    this.blobs = blobs;
  }

  @Override
  public List<RepositoryName> allRepositories() {
    return tx.read(h -> h.createQuery("SELECT name FROM repositories ORDER BY name")
        .mapTo(String.class)
        .map(RepositoryName::new)
        .list());
  }

  @Override
  public List<ManifestNode> manifestNodes(RepositoryName repository) {
    return tx.read(h -> h.createQuery("""
            SELECT m.digest, m.size, m.created_at, m.subject,
                   EXISTS (SELECT 1 FROM tags t WHERE t.repository = m.repository AND t.manifest_digest = m.digest) AS tagged
              FROM manifests m WHERE m.repository = :repository""")
        .bind("repository", repository.value())
        .map((rs, ctx) -> new ManifestNode(
            Digest.parse(rs.getString("digest")),
            rs.getLong("size"),
            Instant.ofEpochMilli(rs.getLong("created_at")),
            rs.getBoolean("tagged"),
            Optional.ofNullable(rs.getString("subject")).map(Digest::parse)))
        .list());
  }

  @Override
  public List<ManifestEdge> manifestEdges(RepositoryName repository) {
    return tx.read(h -> h.createQuery(
            "SELECT parent_digest, child_digest FROM manifest_children WHERE repository = :repository")
        .bind("repository", repository.value())
        .map((rs, ctx) -> new ManifestEdge(Digest.parse(rs.getString(1)), Digest.parse(rs.getString(2))))
        .list());
  }

  @Override
  public List<ManifestKey> deleteManifestsIfGarbage(List<ManifestKey> batch, Instant cutoff, boolean deleteUntagged) {
    return deleteWhereStill("manifests", """
        g.created_at < :cutoff
        AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository = g.repository AND t.manifest_digest = g.digest)
        AND NOT EXISTS (SELECT 1 FROM manifest_children c WHERE c.repository = g.repository AND c.child_digest = g.digest)
        AND CASE WHEN g.subject IS NULL THEN :deleteUntagged = 1
                 ELSE NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repository = g.repository AND s.digest = g.subject) END""",
        java.util.Map.of("cutoff", cutoff.toEpochMilli(), "deleteUntagged", deleteUntagged ? 1 : 0),
        batch, ManifestKey::repository, ManifestKey::digest);
  }

  /**
   * GC's guarded deletion of a batch of {@code table}'s (repository, digest) rows: lock them, select
   * those that still meet {@code condition} (over the rows as {@code g}), delete those, and answer
   * them. Locking first and judging in a later statement makes the judgement see whatever a
   * concurrent tag, index or manifest push committed while the locks were awaited (PostgreSQL;
   * SQLite's writer holds the whole database already).
   */
  private <K> List<K> deleteWhereStill(String table, String condition, java.util.Map<String, Object> parameters,
      List<K> batch, java.util.function.Function<K, RepositoryName> repository,
      java.util.function.Function<K, Digest> digest) {
    if (batch.isEmpty()) {
      return List.of();
    }
    String join = " g ON g.repository = k.repository AND g.digest = k.digest";
    try {
      return tx.write(h -> {
        KeyPairs keys = KeyPairs.of(batch, repository, digest);
        if (!tx.dialect().singleWriter()) {
          keys.bind(h.createQuery(KeyPairs.TABLE + "SELECT g.digest FROM k JOIN " + table + join
                  + " ORDER BY g.repository, g.digest FOR UPDATE OF g"))
              .mapTo(String.class)
              .list();
        }
        Set<String> still = keys.bind(h.createQuery(
                KeyPairs.TABLE + "SELECT g.repository, g.digest FROM k JOIN " + table + join + " WHERE " + condition))
            .bindMap(parameters)
            .map((rs, ctx) -> rs.getString(1) + ' ' + rs.getString(2))
            .collect(Collectors.toSet());
        List<K> doomed = batch.stream()
            .filter(key -> still.contains(repository.apply(key).value() + ' ' + digest.apply(key)))
            .distinct()
            .toList();
        KeyPairs.of(doomed, repository, digest)
            .forEach(h, "DELETE FROM " + table + " WHERE repository = :repository AND digest = :digest");
        return doomed;
      });
    } finally {
      batch.stream().map(repository).distinct().forEach(tx::repositoryChanged);
    }
  }

  @Override
  public void forEachUnusedLink(Instant cutoff, Set<ManifestKey> garbage, Consumer<BlobLink> action) {
    // A page of links at a time, each read in a read of its own and handed to the action after it:
    // the action may write (a collection unlinks as it goes), and a write made on the thread of an
    // open read runs on that read's connection (JDBI hands nested calls the same handle), where
    // SQLite refuses it (SQLITE_BUSY_SNAPSHOT) once anything else has written since the read began.
    String[] after = {"", ""};
    while (true) {
      List<BlobLink> unused = new ArrayList<>();
      int links = tx.read(h -> unusedLinksAfter(h, cutoff, garbage, after, unused));
      unused.forEach(action);
      if (links < LINKS_PER_PAGE) {
        return;
      }
    }
  }

  /**
   * Reads the next page of links after {@code after} (repository, digest), adding the unused ones
   * to {@code unused}; moves {@code after} to the page's last link and answers how many it held.
   */
  private static int unusedLinksAfter(Handle h, Instant cutoff, Set<ManifestKey> garbage, String[] after,
      List<BlobLink> unused) {
    // One row per (link, referencing manifest), grouped by link: a link is unused when every
    // manifest that references it is garbage.
    GroupedScan<BlobLink> scan = new GroupedScan<>(unused::add);
    // Rows come by repository: one name object per repository, not per row, for the links a run collects.
    RepositoryName[] current = {null};
    int[] links = {0};
    h.createQuery("""
            SELECT l.repository, l.digest, mb.manifest_digest
              FROM (SELECT repository, digest FROM repository_blobs
                     WHERE linked_at < :cutoff AND (repository, digest) > (:afterRepository, :afterDigest)
                     ORDER BY repository, digest LIMIT :page) l
              LEFT JOIN manifest_blobs mb ON mb.repository = l.repository AND mb.blob_digest = l.digest
             ORDER BY l.repository, l.digest""")
        .bind("cutoff", cutoff.toEpochMilli())
        .bind("afterRepository", after[0])
        .bind("afterDigest", after[1])
        .bind("page", LINKS_PER_PAGE)
        .map((rs, ctx) -> {
          String name = rs.getString(1);
          String digest = rs.getString(2);
          if (!name.equals(after[0]) || !digest.equals(after[1])) {
            links[0]++;
            after[0] = name;
            after[1] = digest;
          }
          if (current[0] == null || !current[0].value().equals(name)) {
            current[0] = new RepositoryName(name);
          }
          RepositoryName repository = current[0];
          String manifest = rs.getString(3);
          boolean live = manifest != null && !garbage.contains(new ManifestKey(repository, Digest.parse(manifest)));
          scan.row(new BlobLink(repository, Digest.parse(digest)), live);
          return 0;
        })
        .forEach(ignored -> { });
    scan.finish();
    return links[0];
  }

  @Override
  public List<BlobLink> unlinkIfUnused(List<BlobLink> batch, Instant cutoff) {
    return deleteWhereStill("repository_blobs", """
        g.linked_at < :cutoff
        AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.repository = g.repository AND mb.blob_digest = g.digest)""",
        java.util.Map.of("cutoff", cutoff.toEpochMilli()), batch, BlobLink::repository, BlobLink::digest);
  }

  @Override
  public void forEachUnreferencedBlob(Instant cutoff, Set<ManifestKey> garbage, Consumer<BlobCandidate> action) {
    tx.read(h -> {
      GroupedScan<BlobCandidate> scan = new GroupedScan<>(action);
      // By digest: the sweep deletes them in this order, batch by batch, and the digest orders three
      // of the four structures a deletion changes (the key's index, the links and their index).
      // Creation order, which orders the other, doubled the time to delete the rows.
      h.createQuery("""
              SELECT b.digest, b.size, b.state, mb.repository, mb.manifest_digest, b.touched_at
                FROM blobs b
                LEFT JOIN manifest_blobs mb ON mb.blob_digest = b.digest
               ORDER BY b.digest""")
          .map((rs, ctx) -> {
            String repository = rs.getString(4);
            boolean live = repository != null && (garbage.isEmpty() || !garbage.contains(
                new ManifestKey(new RepositoryName(repository), Digest.parse(rs.getString(5)))));
            boolean deleting = "deleting".equals(rs.getString(3));
            BlobCandidate candidate = new BlobCandidate(Digest.parse(rs.getString(1)), rs.getLong(2), deleting,
                !deleting && rs.getLong(6) >= cutoff.toEpochMilli());
            scan.row(candidate, live);
            return 0;
          })
          .forEach(ignored -> { });
      scan.finish();
      return null;
    });
  }

  private java.util.Map<Digest, Long> markBlobsDeleting(List<Digest> batch, Instant cutoff) {
    if (batch.isEmpty()) {
      return java.util.Map.of();
    }
    try {
      return tx.write(h -> {
        String digests = Rows.digestArray(batch);
        if (!tx.dialect().singleWriter()) {
          h.createQuery("SELECT digest FROM blobs WHERE digest IN <digests> ORDER BY digest FOR UPDATE")
              .bind("digests", digests)
              .mapTo(String.class)
              .list();
        }
        java.util.Map<Digest, Long> unreferenced = new java.util.HashMap<>();
        h.createQuery("""
                SELECT b.digest, b.size FROM blobs b
                 WHERE b.digest IN <digests>
                   AND (b.state = 'deleting' OR b.touched_at < :cutoff)
                   AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)""")
            .bind("digests", digests)
            .bind("cutoff", cutoff.toEpochMilli())
            .map((rs, ctx) -> unreferenced.put(Digest.parse(rs.getString(1)), rs.getLong(2)))
            .forEach(ignored -> { });
        java.util.Map<Digest, Long> marked = new java.util.LinkedHashMap<>();
        batch.stream().filter(unreferenced::containsKey).forEach(digest -> marked.put(digest, unreferenced.get(digest)));
        if (!marked.isEmpty()) {
          h.createUpdate("UPDATE blobs SET state = 'deleting' WHERE digest IN <digests>")
              .bind("digests", Rows.digestArray(marked.keySet()))
              .execute();
        }
        return marked;
      });
    } finally {
      tx.blobsRetired();
    }
  }

  @Override
  public java.util.Map<Digest, List<RepositoryName>> linkedRepositories(java.util.Collection<Digest> blobs) {
    if (blobs.isEmpty()) {
      return java.util.Map.of();
    }
    return tx.read(h -> {
      java.util.Map<Digest, List<RepositoryName>> linked = new java.util.HashMap<>();
      h.createQuery("SELECT digest, repository FROM repository_blobs WHERE digest IN <digests>")
          .bind("digests", Rows.digestArray(blobs))
          .map((rs, ctx) -> linked.computeIfAbsent(Digest.parse(rs.getString(1)), d -> new java.util.ArrayList<>())
              .add(new RepositoryName(rs.getString(2))))
          .forEach(ignored -> { });
      linked.values().forEach(repositories -> repositories.sort(null));
      return linked;
    });
  }

  @Override
  public void deleteBlobRows(java.util.Collection<Digest> digests) {
    if (digests.isEmpty()) {
      return;
    }
    tx.use(h -> h.createUpdate("DELETE FROM blobs WHERE digest IN <digests> AND state = 'deleting'")
        .bind("digests", Rows.digestArray(digests))
        .execute());
  }

  @Override
  public java.util.Map<Digest, Long> deleteBlobRowsAndMarkNext(java.util.Collection<Digest> gone, List<Digest> next,
      Instant cutoff) {
    return tx.atomically(bound -> {
      SqlCollector within = new SqlCollector(bound, blobs);
      within.deleteBlobRows(gone);
      return within.markBlobsDeleting(next, cutoff);
    });
  }

  @Override
  public List<UploadRecord> idleUploads(Instant idleSince) {
    return tx.read(h -> h.createQuery(
            "SELECT id, repository, started_at, updated_at FROM uploads WHERE updated_at < :since ORDER BY id")
        .bind("since", idleSince.toEpochMilli())
        .map(Rows::upload)
        .list());
  }

  @Override
  public boolean knowsUpload(UploadId id) {
    return blobs.findUpload(id).isPresent();
  }

  @Override
  public boolean deleteUpload(UploadId id) {
    return blobs.deleteUpload(id);
  }

  @Override
  public java.util.Map<RepositoryName, Integer> linkCounts() {
    return tx.read(h -> {
      java.util.Map<RepositoryName, Integer> counts = new java.util.HashMap<>();
      h.createQuery("SELECT repository, COUNT(*) FROM repository_blobs GROUP BY repository")
          .map((rs, ctx) -> counts.put(new RepositoryName(rs.getString(1)), rs.getInt(2)))
          .forEach(ignored -> { });
      return counts;
    });
  }

  /** SQLite accepts no alias on the table of a DELETE, so the condition names the table itself. */
  /** Links read at once by {@link #forEachUnusedLink}: what the collection holds of them, whatever their number. */
  static final int LINKS_PER_PAGE = 4096;

  private static final String EMPTY_REPOSITORY = """
      NOT EXISTS (SELECT 1 FROM repository_blobs l WHERE l.repository = repositories.name)
      AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository = repositories.name)""";

  @Override
  public List<RepositoryName> emptyRepositories() {
    return tx.read(h -> h.createQuery("SELECT name FROM repositories WHERE " + EMPTY_REPOSITORY + " ORDER BY name")
        .mapTo(String.class)
        .map(RepositoryName::new)
        .list());
  }

  @Override
  public Guarded deleteRepositoryIfEmpty(RepositoryName repository) {
    return tx.changing(repository, () -> tx.write(h -> {
      Optional<String> row = h.createQuery("SELECT name FROM repositories WHERE name = :name <forUpdate>")
          .bind("name", repository.value())
          .mapTo(String.class)
          .findOne();
      if (row.isEmpty()) {
        return Guarded.ABSENT;
      }
      int deleted = h.createUpdate("DELETE FROM repositories WHERE name = :name AND " + EMPTY_REPOSITORY)
          .bind("name", repository.value())
          .execute();
      return deleted > 0 ? Guarded.DELETED : Guarded.KEPT;
    }));
  }

  @Override
  public void forEachBlob(Consumer<BlobRecord> action) {
    tx.read(h -> {
      h.createQuery("SELECT " + SqlBlobs.BLOB_COLUMNS + " FROM blobs b WHERE b.state = 'live' ORDER BY b.digest")
          .map(Rows::blob)
          .forEach(action);
      return null;
    });
  }

  @Override
  public List<BlobRecord> blobsOfManifest(RepositoryName repository, Digest manifest) {
    return tx.read(h -> h.createQuery("SELECT " + SqlBlobs.BLOB_COLUMNS + """
             FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
            WHERE mb.repository = :repository AND mb.manifest_digest = :manifest ORDER BY b.digest""")
        .bind("repository", repository.value())
        .bind("manifest", manifest.toString())
        .map(Rows::blob)
        .list());
  }

  @Override
  public List<ManifestKey> manifestsUsingBlob(Digest blob) {
    return tx.read(h -> h.createQuery(
            "SELECT repository, manifest_digest FROM manifest_blobs WHERE blob_digest = :blob ORDER BY repository")
        .bind("blob", blob.toString())
        .map((rs, ctx) -> new ManifestKey(new RepositoryName(rs.getString(1)), Digest.parse(rs.getString(2))))
        .list());
  }

  @Override
  public Optional<BlobRecord> findLiveBlob(Digest digest) {
    return tx.read(h -> SqlBlobs.findBlob(h, digest)).filter(b -> b.state() == dev.berth.metadata.BlobState.LIVE);
  }

  @Override
  public boolean blobRowExists(Digest digest) {
    return tx.read(h -> SqlBlobs.findBlob(h, digest)).isPresent();
  }

  /**
   * Folds rows sorted by key into one verdict per key: the key is reported when none of its rows
   * is live.
   */
  private static final class GroupedScan<K> {
    private final Consumer<K> action;
    private K current;
    private boolean currentLive;

    GroupedScan(Consumer<K> action) {
      this.action = action;
    }

    void row(K key, boolean live) {
      if (!key.equals(current)) {
        finish();
        current = key;
        currentLive = false;
      }
      currentLive |= live;
    }

    void finish() {
      if (current != null && !currentLive) {
        action.accept(current);
      }
      current = null;
    }
  }
}
