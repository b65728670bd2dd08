package dev.berth.metadata.sql;

import dev.berth.metadata.ManifestMetadata;
import dev.berth.metadata.ImportBatch;
import dev.berth.metadata.ManifestDeletion;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.MetadataException;
import dev.berth.metadata.MissingReferencesException;
import dev.berth.metadata.Referrer;
import dev.berth.metadata.StoredManifest;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/** Repositories, manifests with their references to blobs and child manifests, tags and referrers. */
final class SqlManifests implements ManifestMetadata {

  /** Names and tags are never empty, so paging "after" the empty string starts at the beginning. */
  private static final String LOWEST_KEY = "";

  /*
   * Lookups by a secondary key return few rows and are sorted in Java, not with ORDER BY: asked for
   * rows in primary-key order, SQLite walks the primary key (repository, ...) and filters every row
   * of the repository instead of seeking the secondary index: a DELETE scanned all the repository's
   * tags (66 deletes/s with 10,000 tags per repository). SqlQueryPlanTest holds these statements to
   * their indexes.
   */
  static final String TAGS_OF_MANIFEST =
      "SELECT name FROM tags WHERE repository = :repository AND manifest_digest = :digest";
  static final String PARENTS_OF_MANIFEST =
      "SELECT parent_digest FROM manifest_children WHERE repository = :repository AND child_digest = :digest";
  static final String REFERRERS_OF_MANIFEST = "SELECT digest, media_type, size, artifact_type, annotations"
      + " FROM manifests WHERE repository = :repository AND subject = :subject";

  private static final String INSERT_MANIFEST = """
      INSERT INTO manifests
        (repository, digest, media_type, artifact_type, subject, annotations, size, payload, created_at)
      VALUES
        (:repository, :digest, :mediaType, :artifactType, :subject, :annotations, :size, :payload, :now)
      ON CONFLICT (repository, digest) DO NOTHING""";

  /** Moves the tags; {@link #insertManifest} may append a condition that keeps one instead. */
  private static final String UPSERT_TAGS = """
      INSERT INTO tags (repository, name, manifest_digest, updated_at)
      SELECT :repository, value ->> 0, value ->> 1, :now FROM <rows> WHERE true
      ON CONFLICT (repository, name)
      DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at""";

  /** SQLite's page cache of a connection that imports, in KiB; see {@link #importBatches}. */
  static final int IMPORT_CACHE_KIB = 128 * 1024;

  private final SqlTransactions tx;

  SqlManifests(SqlTransactions tx) {
    this.tx = tx;
  }

  @Override
  public List<RepositoryName> listRepositories(Optional<RepositoryName> after, int limit) {
    return tx.read(h -> h.createQuery("SELECT name FROM repositories WHERE name > :after ORDER BY name LIMIT :limit")
        .bind("after", after.map(RepositoryName::value).orElse(LOWEST_KEY))
        .bind("limit", Rows.checkedLimit(limit))
        .mapTo(String.class)
        .map(RepositoryName::new)
        .list());
  }

  @Override
  public boolean repositoryExists(RepositoryName repository) {
    // A tag always points at a manifest of its repository, so tags need no look of their own.
    return tx.read(h -> h.createQuery("""
            SELECT EXISTS (SELECT 1 FROM repository_blobs WHERE repository = :repository)
                OR EXISTS (SELECT 1 FROM manifests WHERE repository = :repository)""")
        .bind("repository", repository.value())
        .mapTo(Boolean.class)
        .one());
  }

  @Override
  public void putManifest(ManifestRecord manifest, Optional<Tag> tag, Instant now) throws MissingReferencesException {
    RepositoryName repository = manifest.repository();
    try {
      insertManifest(manifest, tag, true, now);
    } finally {
      if (tag.isPresent()) {
        tx.repositoryChanged(repository);
      }
    }
  }

  @Override
  public Optional<Digest> putManifestKeepingTag(ManifestRecord manifest, Tag tag, Instant now)
      throws MissingReferencesException {
    // Never a move, only an addition: nothing a reader cached can be contradicted, so no change to report.
    return insertManifest(manifest, Optional.of(tag), false, now);
  }

  /** The manifest the tag stays on, when {@code moveTag} is false and the tag is on another one; else empty. */
  private Optional<Digest> insertManifest(ManifestRecord manifest, Optional<Tag> tag, boolean moveTag, Instant now)
      throws MissingReferencesException {
    RepositoryName repository = manifest.repository();
    return tx.write(h -> {
      List<Digest> missingBlobs = absent(manifest.blobs(), SqlBlobs.liveLinked(h, repository, manifest.blobs()));
      List<Digest> missingManifests =
          absent(manifest.children(), existingManifests(h, repository, manifest.children()));
      if (!missingBlobs.isEmpty() || !missingManifests.isEmpty()) {
        throw new MissingReferencesException(missingBlobs, missingManifests);
      }
      ensureRepository(h, repository, now);
      insertAndHold(h, "manifest " + repository + "@" + manifest.digest(),
          () -> bindManifest(h.createUpdate(INSERT_MANIFEST), manifest, now).execute(),
          () -> !heldManifests(h, repository, List.of(manifest.digest())).isEmpty());
      insertReferences(h, List.of(manifest));
      if (tag.isEmpty()) {
        return Optional.<Digest>empty();
      }
      // Kept, the tag is checked and written in one statement: the upsert's condition is evaluated on
      // the row as the last committed writer left it, so of two pushes racing for a new tag one wins.
      String keep = moveTag ? "" : " WHERE tags.manifest_digest = excluded.manifest_digest";
      while (true) {
        int written = h.createUpdate(UPSERT_TAGS + keep)
            .bind("repository", repository.value())
            .bind("rows", Rows.jsonArray(List.of(List.of(tag.get().value(), manifest.digest().toString()))))
            .bind("now", now.toEpochMilli())
            .execute();
        if (written > 0) {
          return Optional.<Digest>empty();
        }
        // Not written: the tag is on another manifest, unless it was deleted since; then try again.
        Optional<Digest> other = resolveTag(h, repository, tag.get());
        if (other.isPresent()) {
          return other;
        }
      }
    });
  }

  @Override
  public List<ImportBatch.Refusal> importBatches(List<ImportBatch> batches, Instant now) {
    try {
      // Unsynced: a batch lost to a power cut is written again by the next run of the import.
      return tx.write(h -> {
        if (tx.dialect() == Dialect.SQLITE) {
          // For this connection from now on: the import's transactions change pages all over the
          // indexes by blob, more than the default cache holds, which SQLite then writes to the WAL
          // before the commit as well as at it (the process is the import's alone).
          h.execute("PRAGMA cache_size = -" + IMPORT_CACHE_KIB);
        }
        List<ImportBatch.Refusal> refused = new ArrayList<>();
        for (ImportBatch batch : batches) {
          refused.addAll(importBatch(h, batch, now));
        }
        return refused;
      }, false);
    } finally {
      batches.stream().filter(batch -> !batch.tags().isEmpty()).map(ImportBatch::repository).distinct()
          .forEach(tx::repositoryChanged);
    }
  }

  @Override
  public boolean deferIndexesForImport() {
    return tx.write(h -> DeferredIndexes.defer(h, tx.dialect()));
  }

  @Override
  public void buildDeferredIndexes() {
    DeferredIndexes.build(tx);
  }

  private static List<ImportBatch.Refusal> importBatch(Handle h, ImportBatch batch, Instant now) {
    RepositoryName repository = batch.repository();
    if (!batch.blobs().isEmpty()) {
      ensureRepository(h, repository, now);
      SqlBlobs.record(h, repository, batch.blobs(), now);
    }
    // The checks of putManifest, each one query for the batch: blobs linked and live (share-locked
    // on PostgreSQL, against GC marking them), children already stored or accepted before.
    Set<Digest> live = SqlBlobs.liveLinked(h, repository,
        batch.manifests().stream().flatMap(m -> m.blobs().stream()).collect(Collectors.toSet()));
    Set<Digest> present = new HashSet<>(existingManifests(h, repository,
        batch.manifests().stream().flatMap(m -> m.children().stream()).collect(Collectors.toSet())));
    List<ManifestRecord> accepted = new ArrayList<>();
    List<ImportBatch.Refusal> refused = new ArrayList<>();
    for (ManifestRecord manifest : batch.manifests()) {
      List<Digest> missingBlobs = absent(manifest.blobs(), live);
      List<Digest> missingManifests = absent(manifest.children(), present);
      if (missingBlobs.isEmpty() && missingManifests.isEmpty()) {
        accepted.add(manifest);
        present.add(manifest.digest());
      } else {
        refused.add(new ImportBatch.Refusal(repository, manifest.digest(),
            new MissingReferencesException(missingBlobs, missingManifests)));
      }
    }
    if (accepted.isEmpty()) {
      return refused;
    }
    ensureRepository(h, repository, now);
    insertAndHoldManifests(h, repository, accepted, now);
    insertReferences(h, accepted);
    Set<Digest> stored = accepted.stream().map(ManifestRecord::digest).collect(Collectors.toSet());
    // One row per tag, the last one named (as the calls one after the other would leave it):
    // PostgreSQL refuses an upsert that would update a row twice.
    Map<String, String> tags = new LinkedHashMap<>();
    for (ImportBatch.TagLink tag : batch.tags()) {
      if (stored.contains(tag.manifest())) {
        tags.put(tag.tag().value(), tag.manifest().toString());
      }
    }
    if (!tags.isEmpty()) {
      h.createUpdate(UPSERT_TAGS)
          .bind("repository", repository.value())
          .bind("rows", Rows.jsonArray(tags.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList()))
          .bind("now", now.toEpochMilli())
          .execute();
    }
    return refused;
  }

  /** As {@link #insertAndHold} for each manifest, with one statement for the batch and one hold. */
  private static void insertAndHoldManifests(Handle h, RepositoryName repository, List<ManifestRecord> manifests,
      Instant now) {
    List<ManifestRecord> missing = manifests;
    for (int attempt = 0; attempt < 3; attempt++) {
      PreparedBatch insert = h.prepareBatch(INSERT_MANIFEST);
      missing.forEach(manifest -> bindManifest(insert, manifest, now).add());
      insert.execute();
      Set<Digest> held = heldManifests(h, repository, missing.stream().map(ManifestRecord::digest).toList());
      missing = missing.stream().filter(manifest -> !held.contains(manifest.digest())).toList();
      if (missing.isEmpty()) {
        return;
      }
    }
    throw new MetadataException("manifests of " + repository + " were deleted again and again while being written",
        null);
  }

  @Override
  public Optional<StoredManifest> findManifest(RepositoryName repository, Digest digest) {
    return tx.read(h -> h.createQuery("""
            SELECT digest, media_type, payload, created_at FROM manifests
            WHERE repository = :repository AND digest = :digest""")
        .bind("repository", repository.value())
        .bind("digest", digest.toString())
        .map(Rows::storedManifest)
        .findOne());
  }

  @Override
  public Optional<Digest> resolveTag(RepositoryName repository, Tag tag) {
    return tx.read(h -> resolveTag(h, repository, tag));
  }

  private static Optional<Digest> resolveTag(Handle h, RepositoryName repository, Tag tag) {
    return h.createQuery("SELECT manifest_digest FROM tags WHERE repository = :repository AND name = :tag")
        .bind("repository", repository.value())
        .bind("tag", tag.value())
        .mapTo(String.class)
        .map(Digest::parse)
        .findOne();
  }

  @Override
  public ManifestDeletion deleteManifest(RepositoryName repository, Digest digest) {
    return tx.changing(repository, () -> tx.write(h -> {
      // The row lock makes a concurrent index PUT naming this manifest either finish first (and show
      // up as a parent below) or wait and then find the manifest gone.
      boolean exists = h.createQuery(
              "SELECT digest FROM manifests WHERE repository = :repository AND digest = :digest <forUpdate>")
          .bind("repository", repository.value())
          .bind("digest", digest.toString())
          .mapTo(String.class)
          .findOne()
          .isPresent();
      if (!exists) {
        return new ManifestDeletion.NotFound();
      }
      List<Digest> parents = h.createQuery(PARENTS_OF_MANIFEST)
          .bind("repository", repository.value())
          .bind("digest", digest.toString())
          .mapTo(String.class)
          .map(Digest::parse)
          .stream()
          .sorted(Comparator.comparing(Digest::toString))
          .toList();
      if (!parents.isEmpty()) {
        return new ManifestDeletion.StillReferenced(parents);
      }
      List<Tag> tags = tagsOf(h, repository, digest);
      // Its tags and reference rows go by ON DELETE CASCADE.
      h.createUpdate("DELETE FROM manifests WHERE repository = :repository AND digest = :digest")
          .bind("repository", repository.value())
          .bind("digest", digest.toString())
          .execute();
      return new ManifestDeletion.Deleted(tags);
    }));
  }

  @Override
  public boolean deleteTag(RepositoryName repository, Tag tag) {
    return tx.changing(repository, () -> tx.write(
        h -> h.createUpdate("DELETE FROM tags WHERE repository = :repository AND name = :tag")
            .bind("repository", repository.value())
            .bind("tag", tag.value())
            .execute() > 0));
  }

  @Override
  public List<Tag> listTags(RepositoryName repository, Optional<String> after, int limit) {
    return tx.read(h -> h.createQuery("""
            SELECT name FROM tags WHERE repository = :repository AND name > :after
            ORDER BY name LIMIT :limit""")
        .bind("repository", repository.value())
        .bind("after", after.orElse(LOWEST_KEY))
        .bind("limit", Rows.checkedLimit(limit))
        .mapTo(String.class)
        .map(Tag::new)
        .list());
  }

  @Override
  public List<Tag> tagsOf(RepositoryName repository, Digest manifest) {
    return tx.read(h -> tagsOf(h, repository, manifest));
  }

  @Override
  public void recordPulls(java.util.Map<ManifestKey, Instant> pulls) {
    if (pulls.isEmpty()) {
      return;
    }
    tx.use(h -> {
      PreparedBatch batch = h.prepareBatch("""
          UPDATE manifests SET last_pulled_at = :at
           WHERE repository = :repository AND digest = :digest
             AND (last_pulled_at IS NULL OR last_pulled_at < :at)""");
      pulls.forEach((key, at) -> batch.bind("repository", key.repository().value())
          .bind("digest", key.digest().toString()).bind("at", at.toEpochMilli()).add());
      batch.execute();
    });
  }

  @Override
  public List<Referrer> listReferrers(RepositoryName repository, Digest subject, Optional<String> artifactType) {
    return tx.read(h -> {
      var query = h.createQuery(REFERRERS_OF_MANIFEST
              + (artifactType.isPresent() ? " AND artifact_type = :artifactType" : ""))
          .bind("repository", repository.value())
          .bind("subject", subject.toString());
      artifactType.ifPresent(type -> query.bind("artifactType", type));
      return query.map(Rows::referrer).stream().sorted(Comparator.comparing(r -> r.digest().toString())).toList();
    });
  }

  static void ensureRepository(Handle h, RepositoryName repository, Instant now) {
    insertAndHold(h, "repository " + repository, () -> h.createUpdate(
            "INSERT INTO repositories (name, created_at) VALUES (:name, :now) ON CONFLICT (name) DO NOTHING")
        .bind("name", repository.value())
        .bind("now", now.toEpochMilli())
        .execute(), () -> h.createQuery("SELECT name FROM repositories WHERE name = :name <forKeyShare>")
        .bind("name", repository.value())
        .mapTo(String.class)
        .findOne()
        .isPresent());
  }

  /**
   * Inserts a row unless it exists, then holds it until the transaction ends, for rows about to
   * reference it. {@code ON CONFLICT DO NOTHING} locks nothing: on PostgreSQL a delete (another
   * replica's, or GC's) committing right after it would leave the references failing their foreign
   * keys, a 500 for a valid push. Held with {@code FOR KEY SHARE}, the row's delete waits for this
   * transaction (and GC, re-checking after it, sees the tag or reference that keeps the row). A row
   * deleted between the insert and the hold is inserted again.
   */
  private static void insertAndHold(Handle h, String what, Runnable insert, java.util.function.BooleanSupplier hold) {
    for (int attempt = 0; attempt < 3; attempt++) {
      insert.run();
      if (hold.getAsBoolean()) {
        return;
      }
    }
    throw new MetadataException("the " + what + " was deleted again and again while being written", null);
  }

  /**
   * Those of {@code digests} that are manifests in the repository, share-locked on PostgreSQL so
   * that a concurrent delete of one waits for this transaction and then sees its references.
   */
  private static Set<Digest> existingManifests(Handle h, RepositoryName repository, Collection<Digest> digests) {
    if (digests.isEmpty()) {
      return Set.of();
    }
    return h.createQuery(
            "SELECT digest FROM manifests WHERE repository = :repository AND digest IN <digests> <forShare>")
        .bind("repository", repository.value())
        .bind("digests", Rows.digestArray(digests))
        .mapTo(String.class)
        .map(Digest::parse)
        .collect(Collectors.toSet());
  }

  /** The blobs and child manifests each manifest references, one prepared statement per table for all. */
  private static void insertReferences(Handle h, List<ManifestRecord> manifests) {
    insertReferences(h, "manifest_blobs", "manifest_digest", "blob_digest", manifests, ManifestRecord::blobs);
    insertReferences(h, "manifest_children", "parent_digest", "child_digest", manifests, ManifestRecord::children);
  }

  private static void insertReferences(Handle h, String table, String fromColumn, String toColumn,
      List<ManifestRecord> manifests, Function<ManifestRecord, List<Digest>> targets) {
    Map<RepositoryName, List<List<String>>> rows = new LinkedHashMap<>();
    for (ManifestRecord manifest : manifests) {
      for (Digest target : targets.apply(manifest)) {
        rows.computeIfAbsent(manifest.repository(), r -> new ArrayList<>())
            .add(List.of(manifest.digest().toString(), target.toString()));
      }
    }
    rows.forEach((repository, references) -> h.createUpdate("INSERT INTO " + table + " (repository, " + fromColumn
            + ", " + toColumn + ") SELECT :repository, value ->> 0, value ->> 1 FROM <rows> WHERE true"
            + " ON CONFLICT DO NOTHING")
        .bind("repository", repository.value())
        .bind("rows", Rows.jsonArray(references))
        .execute());
  }

  private static <S extends SqlStatement<S>> S bindManifest(S statement, ManifestRecord manifest, Instant now) {
    return statement.bind("repository", manifest.repository().value())
        .bind("digest", manifest.digest().toString())
        .bind("mediaType", manifest.mediaType().value())
        .bind("artifactType", manifest.artifactType().orElse(null))
        .bind("subject", manifest.subject().map(Digest::toString).orElse(null))
        .bind("annotations", Rows.annotationsJson(manifest.annotations()))
        .bind("size", manifest.size())
        .bind("payload", manifest.payload())
        .bind("now", now.toEpochMilli());
  }

  /**
   * Those of {@code digests} that are manifests in the repository, held with {@code FOR KEY SHARE}
   * on PostgreSQL until the transaction ends, for the reference and tag rows about to name them.
   */
  private static Set<Digest> heldManifests(Handle h, RepositoryName repository, Collection<Digest> digests) {
    return h.createQuery(
            "SELECT digest FROM manifests WHERE repository = :repository AND digest IN <digests> <forKeyShare>")
        .bind("repository", repository.value())
        .bind("digests", Rows.digestArray(digests))
        .mapTo(String.class)
        .map(Digest::parse)
        .collect(Collectors.toSet());
  }

  private static List<Tag> tagsOf(Handle h, RepositoryName repository, Digest manifest) {
    return h.createQuery(
            TAGS_OF_MANIFEST)
        .bind("repository", repository.value())
        .bind("digest", manifest.toString())
        .mapTo(String.class)
        .stream()
        .sorted()
        .map(Tag::new)
        .toList();
  }

  /** The distinct {@code wanted} digests missing from {@code present}, in the order they were named. */
  private static List<Digest> absent(List<Digest> wanted, Set<Digest> present) {
    return wanted.stream().distinct().filter(d -> !present.contains(d)).toList();
  }
}
