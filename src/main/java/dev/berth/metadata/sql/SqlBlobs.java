package dev.berth.metadata.sql;

import dev.berth.metadata.BlobMetadata;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.BlobUnlink;
import dev.berth.metadata.ImportBatch;
import dev.berth.metadata.UploadRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/** Blobs, their links into repositories, and upload sessions. */
final class SqlBlobs implements BlobMetadata {

  static final String BLOB_COLUMNS = "b.digest, b.size, b.state, b.created_at, b.touched_at";

  static final String MANIFESTS_OF_REPOSITORY_USING_BLOB =
      "SELECT manifest_digest FROM manifest_blobs WHERE repository = :repository AND blob_digest = :digest";

  /** Inserts the row, or makes it live and moves touched_at forward (never back: a caller with a lagging clock cannot shorten the grace period). */
  private static final String UPSERT_BLOBS = """
      INSERT INTO blobs (digest, size, state, created_at, touched_at)
      SELECT value ->> 0, CAST(value ->> 1 AS BIGINT), 'live', :now, :now FROM <rows> WHERE true
      ON CONFLICT (digest) DO UPDATE SET state = 'live',
        touched_at = CASE WHEN blobs.touched_at < excluded.touched_at THEN excluded.touched_at ELSE blobs.touched_at END
      WHERE blobs.state <> 'live' OR blobs.touched_at < excluded.touched_at""";

  private static final String LINK_ALL = """
      INSERT INTO repository_blobs (repository, digest, linked_at) SELECT :repository, value ->> 0, :now FROM <rows> WHERE true
      ON CONFLICT (repository, digest) DO UPDATE SET linked_at = excluded.linked_at""";

  private final SqlTransactions tx;

  SqlBlobs(SqlTransactions tx) {
    this.tx = tx;
  }

  @Override
  public Optional<BlobRecord> findBlob(Digest digest) {
    return tx.read(h -> findBlob(h, digest));
  }

  @Override
  public Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest) {
    return tx.read(h -> h.createQuery("SELECT " + BLOB_COLUMNS + """
             FROM blobs b JOIN repository_blobs l ON l.digest = b.digest
            WHERE l.repository = :repository AND b.digest = :digest AND b.state = 'live'""")
        .bind("repository", repository.value())
        .bind("digest", digest.toString())
        .map(Rows::blob)
        .findOne());
  }

  @Override
  public BlobRecord recordBlob(RepositoryName repository, Digest digest, long size, Instant now) {
    return tx.write(h -> {
      SqlManifests.ensureRepository(h, repository, now);
      record(h, repository, List.of(new ImportBatch.Blob(digest, size)), now);
      return findBlob(h, digest).orElseThrow();
    });
  }

  @Override
  public Optional<BlobRecord> mountBlob(RepositoryName from, RepositoryName to, Digest digest, Instant now) {
    return tx.write(h -> {
      if (liveLinked(h, from, List.of(digest)).isEmpty()) {
        return Optional.empty();
      }
      SqlManifests.ensureRepository(h, to, now);
      touch(h, digest, now);
      link(h, to, digest, now);
      return findBlob(h, digest);
    });
  }

  @Override
  public BlobUnlink unlinkBlob(RepositoryName repository, Digest digest) {
    return tx.changing(repository, () -> tx.write(h -> {
      boolean inUse = h.createQuery("SELECT EXISTS (" + MANIFESTS_OF_REPOSITORY_USING_BLOB + ")")
          .bind("repository", repository.value())
          .bind("digest", digest.toString())
          .mapTo(Boolean.class)
          .one();
      if (inUse) {
        return BlobUnlink.IN_USE;
      }
      int removed = h.createUpdate("DELETE FROM repository_blobs WHERE repository = :repository AND digest = :digest")
          .bind("repository", repository.value())
          .bind("digest", digest.toString())
          .execute();
      return removed > 0 ? BlobUnlink.UNLINKED : BlobUnlink.NOT_LINKED;
    }));
  }

  @Override
  public void createUpload(UploadId id, RepositoryName repository, Instant now) {
    tx.use(h -> h.createUpdate("""
            INSERT INTO uploads (id, repository, started_at, updated_at) VALUES (:id, :repository, :now, :now)""")
        .bind("id", id.value())
        .bind("repository", repository.value())
        .bind("now", now.toEpochMilli())
        .execute());
  }

  @Override
  public Optional<UploadRecord> findUpload(UploadId id) {
    return tx.read(h -> h.createQuery("SELECT id, repository, started_at, updated_at FROM uploads WHERE id = :id")
        .bind("id", id.value())
        .map(Rows::upload)
        .findOne());
  }

  @Override
  public void touchUpload(UploadId id, Instant now) {
    tx.use(h -> h.createUpdate("UPDATE uploads SET updated_at = :now WHERE id = :id")
        .bind("id", id.value())
        .bind("now", now.toEpochMilli())
        .execute());
  }

  @Override
  public boolean deleteUpload(UploadId id) {
    return tx.write(h -> h.createUpdate("DELETE FROM uploads WHERE id = :id")
        .bind("id", id.value())
        .execute() > 0);
  }

  static Optional<BlobRecord> findBlob(Handle h, Digest digest) {
    return h.createQuery("SELECT " + BLOB_COLUMNS + " FROM blobs b WHERE b.digest = :digest")
        .bind("digest", digest.toString())
        .map(Rows::blob)
        .findOne();
  }

  /** Moves touched_at forward only, so a caller with a lagging clock cannot shorten the grace period. */
  private static void touch(Handle h, Digest digest, Instant now) {
    h.createUpdate("UPDATE blobs SET touched_at = :now WHERE digest = :digest AND touched_at < :now")
        .bind("digest", digest.toString())
        .bind("now", now.toEpochMilli())
        .execute();
  }

  private static void link(Handle h, RepositoryName repository, Digest digest, Instant now) {
    link(h, repository, List.of(digest.toString()), now);
  }

  private static void link(Handle h, RepositoryName repository, Collection<String> digests, Instant now) {
    h.createUpdate(LINK_ALL)
        .bind("rows", Rows.jsonArray(digests.stream().map(List::of).toList()))
        .bind("repository", repository.value())
        .bind("now", now.toEpochMilli())
        .execute();
  }

  /**
   * Inserts (or touches) each blob's row and links it into the repository, which must exist, with
   * one statement each for the whole list. The caller holds the digests' guards and has just put
   * verified bytes in place (or, importing, found them there), so a row an interrupted GC left
   * "deleting" describes bytes that exist again. Rows are written in digest order, so that two
   * transactions writing shared blobs on PostgreSQL lock them in the same order.
   */
  static void record(Handle h, RepositoryName repository, Collection<ImportBatch.Blob> blobs, Instant now) {
    if (blobs.isEmpty()) {
      return;
    }
    // One row per digest: PostgreSQL refuses an upsert that would update a row twice.
    Map<String, Long> sizes = new TreeMap<>();
    blobs.forEach(blob -> sizes.put(blob.digest().toString(), blob.size()));
    h.createUpdate(UPSERT_BLOBS)
        .bind("rows", Rows.jsonArray(sizes.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList()))
        .bind("now", now.toEpochMilli())
        .execute();
    link(h, repository, sizes.keySet(), now);
  }

  /**
   * Those of {@code digests} that are linked into the repository and live. On PostgreSQL the blob
   * and link rows stay share-locked until commit, so GC cannot mark the blob deleting, nor anyone
   * unlink it, between this check and the references the caller then commits.
   */
  static Set<Digest> liveLinked(Handle h, RepositoryName repository, Collection<Digest> digests) {
    if (digests.isEmpty()) {
      return Set.of();
    }
    return h.createQuery("""
            SELECT b.digest FROM blobs b JOIN repository_blobs l ON l.digest = b.digest
            WHERE l.repository = :repository AND b.digest IN <digests> AND b.state = 'live' <forShare>""")
        .bind("repository", repository.value())
        .bind("digests", Rows.digestArray(digests))
        .mapTo(String.class)
        .map(Digest::parse)
        .collect(Collectors.toSet());
  }
}
