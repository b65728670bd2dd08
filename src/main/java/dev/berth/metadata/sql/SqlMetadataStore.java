package dev.berth.metadata.sql;

import dev.berth.metadata.MetadataException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.BlobLink;
import dev.berth.metadata.GcRunItem;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.InventoryStore;
import dev.berth.metadata.JobClaims;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.ManifestEdge;
import dev.berth.metadata.ManifestKey;
import dev.berth.metadata.ManifestNode;
import dev.berth.metadata.BlobUnlink;
import dev.berth.metadata.ChangeListener;
import dev.berth.metadata.ConsoleSessionStore;
import dev.berth.metadata.LoginFailureStore;
import dev.berth.metadata.ManifestDeletion;
import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.MissingReferencesException;
import dev.berth.metadata.Referrer;
import dev.berth.metadata.StoredManifest;
import dev.berth.metadata.UploadRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.storage.UploadId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The metadata store on SQLite (the embedded default) or PostgreSQL, with one schema and one set of
 * queries for both.
 *
 * <p>Write transactions run at the database's default isolation (READ COMMITTED on PostgreSQL).
 * Where a write depends on what it read, the read takes a row lock ({@code FOR SHARE} on what must
 * stay, {@code FOR UPDATE} on what is about to go), so a concurrent GC or delete either waits for
 * the commit or is seen by the re-evaluated read. SQLite has one writer at a time: writers of this
 * process queue in {@link GroupCommit} rather than spin in SQLite's busy handler, and share
 * commits. Reads are single statements in auto-commit mode, which on SQLite in WAL mode never wait
 * for a writer.
 */
public final class SqlMetadataStore
    implements MetadataStore, CollectorStore, HistoryStore, AccessStore, InventoryStore {

  private static final int SQLITE_POOL_SIZE = 4;
  /** How long a writer waits for another process (e.g. {@code berth gc}) to release the database. */
  private static final int SQLITE_BUSY_TIMEOUT_MILLIS = 10_000;

  /** Names and tags are never empty, so paging "after" the empty string starts at the beginning. */
  private static final String LOWEST_KEY = "";

  private static final String BLOB_COLUMNS = "b.digest, b.size, b.state, b.created_at, b.touched_at";

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final GroupCommit groupCommit;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  /** The stores beside this one run their statements on its pool and queue its writers. */
  private final Statements statements = new Statements() {
    @Override
    public <R> R read(HandleCallback<R, RuntimeException> query) {
      return SqlMetadataStore.this.read(query);
    }

    @Override
    public <R> R write(HandleCallback<R, RuntimeException> transaction) {
      return inWriteTransaction(transaction);
    }
  };
  /** The transaction {@link #atomically} opened on this thread; every call on the thread joins it. */
  private final ThreadLocal<Joined> joined = new ThreadLocal<>();

  /** An open transaction, and the changes to report once it has ended. */
  private static final class Joined {
    final Handle handle;
    final Set<RepositoryName> changedRepositories = new java.util.LinkedHashSet<>();
    boolean blobsRetired;

    Joined(Handle handle) {
      this.handle = handle;
    }
  }

  private SqlMetadataStore(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
    this.jdbi = Jdbi.create(pool);
    this.groupCommit = new GroupCommit(jdbi, pool);
    dialect.templateValues().forEach(jdbi::define);
  }

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
  static final String MANIFESTS_OF_REPOSITORY_USING_BLOB =
      "SELECT manifest_digest FROM manifest_blobs WHERE repository = :repository AND blob_digest = :digest";
  static final String REFERRERS_OF_MANIFEST = "SELECT digest, media_type, size, artifact_type, annotations"
      + " FROM manifests WHERE repository = :repository AND subject = :subject";

  static final int WAL_AUTOCHECKPOINT_PAGES = 40_000;
  /** Per connection, in KiB. */
  private static final int CACHE_KIB = 32 * 1024;

  /** Opens (creating and migrating as needed) the SQLite database in {@code databaseFile}. */
  public static SqlMetadataStore sqlite(Path databaseFile) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // A push acknowledged to its client must survive a power cut; NORMAL in WAL mode may lose the
    // last commits.
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    // A checkpoint copies the WAL's pages into the database file, inside the commit that crosses the
    // threshold. At SQLite's default (1,000 pages, 4 MB) a run of deletions, each dirtying index pages
    // at random places, wrote the same hot pages to the file over and over: a 10,000-manifest sweep
    // took 3.6 s in a replay, 2.2 s at 10,000 pages. At 40,000 (160 MB of WAL at most between
    // checkpoints) a 100,000-image collection's 50,000 manifest deletions, whose index pages by blob
    // recur from batch to batch, took 14.8-17.3 s in the server against 18.3 s at 10,000 (four runs
    // each); the WAL file keeps the size it reached, and SQLite reuses it from the start.
    config.setWalAutocheckpoint(WAL_AUTOCHECKPOINT_PAGES);
    // A transaction that changes more pages than the cache holds writes some to the WAL before its
    // commit, and again if it changes them again; at SQLite's default (2 MB) a 1,024-manifest GC
    // batch did. Pages are allocated as they are read, so a small database never uses it all.
    config.setCacheSize(-CACHE_KIB);
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    // Nothing here asks for generated keys. Left on, the driver matches every statement's text
    // against a regular expression after executing it (and follows each INSERT with a SELECT
    // last_insert_rowid()): on GC's statements, whose key tables run to 40 KB of SQL, that took
    // about 1.5 s of a 100,000-image collection's CPU (JFR).
    config.setGetGeneratedKeys(false);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + databaseFile.toAbsolutePath());

    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("berth-sqlite");
    hikari.setDataSource(dataSource);
    hikari.setMaximumPoolSize(SQLITE_POOL_SIZE);
    return open(hikari, Dialect.SQLITE);
  }

  /**
   * Connects to (and migrates) the PostgreSQL database at {@code jdbcUrl}, with a pool of at most
   * {@code maxConnections}: several replicas share one server's connection limit.
   */
  public static SqlMetadataStore postgres(String jdbcUrl, String user, String password, int maxConnections) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("berth-postgres");
    hikari.setJdbcUrl(jdbcUrl);
    hikari.setUsername(user);
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(maxConnections);
    return open(hikari, Dialect.POSTGRES);
  }

  private static SqlMetadataStore open(HikariConfig config, Dialect dialect) {
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new MetadataException("cannot connect to the metadata database", e);
    }
    try {
      if (!SchemaVersion.isCurrent(pool)) {
        Flyway.configure(SqlMetadataStore.class.getClassLoader())
            .dataSource(pool)
            .locations("classpath:" + SchemaVersion.MIGRATIONS)
            .placeholders(dialect.placeholders())
            .load()
            .migrate();
      }
    } catch (FlywayException e) {
      pool.close();
      throw new MetadataException("cannot migrate the metadata database", e);
    }
    return new SqlMetadataStore(pool, dialect);
  }

  /** Claims of scheduled jobs' occurrences, on this database. */
  public JobClaims jobClaims() {
    return new SqlJobClaims(jdbi);
  }

  // ---- repositories

  @Override
  public List<RepositoryName> listRepositories(Optional<RepositoryName> after, int limit) {
    return read(h -> h.createQuery("SELECT name FROM repositories WHERE name > :after ORDER BY name LIMIT :limit")
        .bind("after", after.map(RepositoryName::value).orElse(LOWEST_KEY))
        .bind("limit", checkedLimit(limit))
        .mapTo(String.class)
        .map(RepositoryName::new)
        .list());
  }

  @Override
  public boolean repositoryExists(RepositoryName repository) {
    // A tag always points at a manifest of its repository, so tags need no look of their own.
    return read(h -> h.createQuery("""
            SELECT EXISTS (SELECT 1 FROM repository_blobs WHERE repository = :repository)
                OR EXISTS (SELECT 1 FROM manifests WHERE repository = :repository)""")
        .bind("repository", repository.value())
        .mapTo(Boolean.class)
        .one());
  }

  // ---- blobs

  @Override
  public Optional<BlobRecord> findBlob(Digest digest) {
    return read(h -> findBlob(h, digest));
  }

  @Override
  public Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest) {
    return read(h -> h.createQuery("SELECT " + BLOB_COLUMNS + """
             FROM blobs b JOIN repository_blobs l ON l.digest = b.digest
            WHERE l.repository = :repository AND b.digest = :digest AND b.state = 'live'""")
        .bind("repository", repository.value())
        .bind("digest", digest.toString())
        .map(Rows::blob)
        .findOne());
  }

  @Override
  public BlobRecord recordBlob(RepositoryName repository, Digest digest, long size, Instant now) {
    return inWriteTransaction(h -> {
      ensureRepository(h, repository, now);
      h.createUpdate("""
              INSERT INTO blobs (digest, size, state, created_at, touched_at)
              VALUES (:digest, :size, 'live', :now, :now)
              ON CONFLICT (digest) DO NOTHING""")
          .bind("digest", digest.toString())
          .bind("size", size)
          .bind("now", now.toEpochMilli())
          .execute();
      // The caller holds the digest's guard and has just put verified bytes in place, so a
      // row an interrupted GC left "deleting" describes bytes that exist again.
      h.createUpdate("UPDATE blobs SET state = 'live' WHERE digest = :digest AND state <> 'live'")
          .bind("digest", digest.toString())
          .execute();
      touch(h, digest, now);
      link(h, repository, digest, now);
      return findBlob(h, digest).orElseThrow();
    });
  }

  @Override
  public Optional<BlobRecord> mountBlob(RepositoryName from, RepositoryName to, Digest digest, Instant now) {
    return inWriteTransaction(h -> {
      if (liveLinked(h, from, List.of(digest)).isEmpty()) {
        return Optional.empty();
      }
      ensureRepository(h, to, now);
      touch(h, digest, now);
      link(h, to, digest, now);
      return findBlob(h, digest);
    });
  }

  @Override
  public BlobUnlink unlinkBlob(RepositoryName repository, Digest digest) {
    return changing(repository, () -> inWriteTransaction(h -> {
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

  // ---- manifests and tags

  @Override
  public void putManifest(ManifestRecord manifest, Optional<Tag> tag, Instant now) throws MissingReferencesException {
    RepositoryName repository = manifest.repository();
    try {
      insertManifest(manifest, tag, now);
    } finally {
      if (tag.isPresent()) {
        repositoryChanged(repository);
      }
    }
  }

  private void insertManifest(ManifestRecord manifest, Optional<Tag> tag, Instant now) throws MissingReferencesException {
    RepositoryName repository = manifest.repository();
    useWriteTransaction(h -> {
      List<Digest> missingBlobs = absent(manifest.blobs(), liveLinked(h, repository, manifest.blobs()));
      List<Digest> missingManifests =
          absent(manifest.children(), existingManifests(h, repository, manifest.children()));
      if (!missingBlobs.isEmpty() || !missingManifests.isEmpty()) {
        throw new MissingReferencesException(missingBlobs, missingManifests);
      }
      ensureRepository(h, repository, now);
      insertAndHold(h, "manifest " + repository + "@" + manifest.digest(), () -> h.createUpdate("""
              INSERT INTO manifests
                (repository, digest, media_type, artifact_type, subject, annotations, size, payload, created_at)
              VALUES
                (:repository, :digest, :mediaType, :artifactType, :subject, :annotations, :size, :payload, :now)
              ON CONFLICT (repository, digest) DO NOTHING""")
          .bind("repository", repository.value())
          .bind("digest", manifest.digest().toString())
          .bind("mediaType", manifest.mediaType().value())
          .bind("artifactType", manifest.artifactType().orElse(null))
          .bind("subject", manifest.subject().map(Digest::toString).orElse(null))
          .bind("annotations", Rows.annotationsJson(manifest.annotations()))
          .bind("size", manifest.size())
          .bind("payload", manifest.payload())
          .bind("now", now.toEpochMilli())
          .execute(), () -> h.createQuery(
              "SELECT digest FROM manifests WHERE repository = :repository AND digest = :digest <forKeyShare>")
          .bind("repository", repository.value())
          .bind("digest", manifest.digest().toString())
          .mapTo(String.class)
          .findOne()
          .isPresent());
      insertReferences(h, "manifest_blobs", "manifest_digest", "blob_digest", manifest, manifest.blobs());
      insertReferences(h, "manifest_children", "parent_digest", "child_digest", manifest, manifest.children());
      tag.ifPresent(t -> h.createUpdate("""
              INSERT INTO tags (repository, name, manifest_digest, updated_at)
              VALUES (:repository, :tag, :digest, :now)
              ON CONFLICT (repository, name)
              DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at""")
          .bind("repository", repository.value())
          .bind("tag", t.value())
          .bind("digest", manifest.digest().toString())
          .bind("now", now.toEpochMilli())
          .execute());
    });
  }

  @Override
  public Optional<StoredManifest> findManifest(RepositoryName repository, Digest digest) {
    return read(h -> h.createQuery("""
            SELECT digest, media_type, payload, created_at FROM manifests
            WHERE repository = :repository AND digest = :digest""")
        .bind("repository", repository.value())
        .bind("digest", digest.toString())
        .map(Rows::storedManifest)
        .findOne());
  }

  @Override
  public Optional<Digest> resolveTag(RepositoryName repository, Tag tag) {
    return read(h -> h.createQuery(
            "SELECT manifest_digest FROM tags WHERE repository = :repository AND name = :tag")
        .bind("repository", repository.value())
        .bind("tag", tag.value())
        .mapTo(String.class)
        .map(Digest::parse)
        .findOne());
  }

  @Override
  public ManifestDeletion deleteManifest(RepositoryName repository, Digest digest) {
    return changing(repository, () -> inWriteTransaction(h -> {
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
    return changing(repository, () -> inWriteTransaction(
        h -> h.createUpdate("DELETE FROM tags WHERE repository = :repository AND name = :tag")
            .bind("repository", repository.value())
            .bind("tag", tag.value())
            .execute() > 0));
  }

  @Override
  public List<Tag> listTags(RepositoryName repository, Optional<String> after, int limit) {
    return read(h -> h.createQuery("""
            SELECT name FROM tags WHERE repository = :repository AND name > :after
            ORDER BY name LIMIT :limit""")
        .bind("repository", repository.value())
        .bind("after", after.orElse(LOWEST_KEY))
        .bind("limit", checkedLimit(limit))
        .mapTo(String.class)
        .map(Tag::new)
        .list());
  }

  @Override
  public List<Tag> tagsOf(RepositoryName repository, Digest manifest) {
    return read(h -> tagsOf(h, repository, manifest));
  }

  @Override
  public void recordPulls(java.util.Map<ManifestKey, Instant> pulls) {
    if (pulls.isEmpty()) {
      return;
    }
    useWriteTransaction(h -> {
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
    return read(h -> {
      var query = h.createQuery(REFERRERS_OF_MANIFEST
              + (artifactType.isPresent() ? " AND artifact_type = :artifactType" : ""))
          .bind("repository", repository.value())
          .bind("subject", subject.toString());
      artifactType.ifPresent(type -> query.bind("artifactType", type));
      return query.map(Rows::referrer).stream().sorted(Comparator.comparing(r -> r.digest().toString())).toList();
    });
  }

  // ---- upload sessions

  @Override
  public void createUpload(UploadId id, RepositoryName repository, Instant now) {
    useWriteTransaction(h -> h.createUpdate("""
            INSERT INTO uploads (id, repository, started_at, updated_at) VALUES (:id, :repository, :now, :now)""")
        .bind("id", id.value())
        .bind("repository", repository.value())
        .bind("now", now.toEpochMilli())
        .execute());
  }

  @Override
  public Optional<UploadRecord> findUpload(UploadId id) {
    return read(h -> h.createQuery("SELECT id, repository, started_at, updated_at FROM uploads WHERE id = :id")
        .bind("id", id.value())
        .map(Rows::upload)
        .findOne());
  }

  @Override
  public void touchUpload(UploadId id, Instant now) {
    useWriteTransaction(h -> h.createUpdate("UPDATE uploads SET updated_at = :now WHERE id = :id")
        .bind("id", id.value())
        .bind("now", now.toEpochMilli())
        .execute());
  }

  @Override
  public boolean deleteUpload(UploadId id) {
    return inWriteTransaction(h -> h.createUpdate("DELETE FROM uploads WHERE id = :id")
        .bind("id", id.value())
        .execute() > 0);
  }

  /** Console sessions, in this database: every replica on it knows them. */
  public ConsoleSessionStore consoleSessions() {
    return new SqlConsoleSessions(statements);
  }

  /** Failed logins, in this database: every replica on it counts them. */
  public LoginFailureStore loginFailures() {
    return new SqlLoginFailures(statements);
  }

  @Override
  public void close() {
    pool.close();
  }

  // ---- statements shared by several operations

  private static Optional<BlobRecord> findBlob(Handle h, Digest digest) {
    return h.createQuery("SELECT " + BLOB_COLUMNS + " FROM blobs b WHERE b.digest = :digest")
        .bind("digest", digest.toString())
        .map(Rows::blob)
        .findOne();
  }

  private static void ensureRepository(Handle h, RepositoryName repository, Instant now) {
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

  /** Moves touched_at forward only, so a caller with a lagging clock cannot shorten the grace period. */
  private static void touch(Handle h, Digest digest, Instant now) {
    h.createUpdate("UPDATE blobs SET touched_at = :now WHERE digest = :digest AND touched_at < :now")
        .bind("digest", digest.toString())
        .bind("now", now.toEpochMilli())
        .execute();
  }

  private static void link(Handle h, RepositoryName repository, Digest digest, Instant now) {
    h.createUpdate("""
            INSERT INTO repository_blobs (repository, digest, linked_at) VALUES (:repository, :digest, :now)
            ON CONFLICT (repository, digest) DO UPDATE SET linked_at = excluded.linked_at""")
        .bind("repository", repository.value())
        .bind("digest", digest.toString())
        .bind("now", now.toEpochMilli())
        .execute();
  }

  /**
   * Those of {@code digests} that are linked into the repository and live. On PostgreSQL the blob
   * and link rows stay share-locked until commit, so GC cannot mark the blob deleting, nor anyone
   * unlink it, between this check and the references the caller then commits.
   */
  private static Set<Digest> liveLinked(Handle h, RepositoryName repository, Collection<Digest> digests) {
    if (digests.isEmpty()) {
      return Set.of();
    }
    return h.createQuery("""
            SELECT b.digest FROM blobs b JOIN repository_blobs l ON l.digest = b.digest
            WHERE l.repository = :repository AND b.digest IN <digests> AND b.state = 'live' <forShare>""")
        .bind("repository", repository.value())
        .bind("digests", digestArray(digests))
        .mapTo(String.class)
        .map(Digest::parse)
        .collect(Collectors.toSet());
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
        .bind("digests", digestArray(digests))
        .mapTo(String.class)
        .map(Digest::parse)
        .collect(Collectors.toSet());
  }

  private static void insertReferences(
      Handle h, String table, String fromColumn, String toColumn, ManifestRecord manifest, List<Digest> targets) {
    if (targets.isEmpty()) {
      return;
    }
    PreparedBatch batch = h.prepareBatch("INSERT INTO " + table + " (repository, " + fromColumn + ", " + toColumn
        + ") VALUES (:repository, :from, :to) ON CONFLICT DO NOTHING");
    for (Digest target : targets) {
      batch.bind("repository", manifest.repository().value())
          .bind("from", manifest.digest().toString())
          .bind("to", target.toString())
          .add();
    }
    batch.execute();
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

  private static String digestArray(Collection<Digest> digests) {
    return Rows.jsonArray(digests.stream().map(Digest::toString).toList());
  }

  private static int checkedLimit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    return limit;
  }

  // ---- users and access (AccessStore)

  @Override
  public long userCount() {
    return read(h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one());
  }

  @Override
  public Optional<UserRecord> findUser(String name) {
    return read(h -> h.createQuery("SELECT name, password_hash, system_admin, created_at FROM users WHERE name = :name")
        .bind("name", name)
        .map((rs, ctx) -> new UserRecord(rs.getString(1), rs.getString(2), rs.getInt(3) != 0,
            Instant.ofEpochMilli(rs.getLong(4))))
        .findOne());
  }

  @Override
  public boolean addUser(UserRecord user) {
    return inWriteTransaction(h -> h.createUpdate("""
            INSERT INTO users (name, password_hash, system_admin, created_at)
            VALUES (:name, :hash, :admin, :createdAt) ON CONFLICT (name) DO NOTHING""")
        .bind("name", user.name())
        .bind("hash", user.passwordHash())
        .bind("admin", user.systemAdmin() ? 1 : 0)
        .bind("createdAt", user.createdAt().toEpochMilli())
        .execute() > 0);
  }

  @Override
  public boolean setPassword(String name, String passwordHash) {
    return inWriteTransaction(h -> h.createUpdate("UPDATE users SET password_hash = :hash WHERE name = :name")
        .bind("name", name)
        .bind("hash", passwordHash)
        .execute() > 0);
  }

  @Override
  public boolean removeUser(String name) {
    return inWriteTransaction(h -> h.createUpdate("DELETE FROM users WHERE name = :name").bind("name", name).execute() > 0);
  }

  @Override
  public List<UserRecord> listUsers() {
    return read(h -> h.createQuery("SELECT name, password_hash, system_admin, created_at FROM users ORDER BY name")
        .map((rs, ctx) -> new UserRecord(rs.getString(1), rs.getString(2), rs.getInt(3) != 0,
            Instant.ofEpochMilli(rs.getLong(4))))
        .list());
  }

  @Override
  public java.util.Map<String, String> rolesOf(String username) {
    return sortedPairs("SELECT namespace, role FROM memberships WHERE username = :value", username);
  }

  /** The rows of a two-column query with one parameter, {@code :value}, as a map sorted by the first column. */
  private java.util.Map<String, String> sortedPairs(String sql, String value) {
    return read(h -> {
      java.util.Map<String, String> pairs = new java.util.TreeMap<>();
      h.createQuery(sql)
          .bind("value", value)
          .map((rs, ctx) -> pairs.put(rs.getString(1), rs.getString(2)))
          .forEach(ignored -> { });
      return pairs;
    });
  }

  @Override
  public void setRole(String namespace, String username, String role) {
    useWriteTransaction(h -> h.createUpdate("""
            INSERT INTO memberships (namespace, username, role) VALUES (:namespace, :username, :role)
            ON CONFLICT (namespace, username) DO UPDATE SET role = excluded.role""")
        .bind("namespace", namespace)
        .bind("username", username)
        .bind("role", role)
        .execute());
  }

  @Override
  public boolean removeRole(String namespace, String username) {
    return inWriteTransaction(h -> h.createUpdate(
            "DELETE FROM memberships WHERE namespace = :namespace AND username = :username")
        .bind("namespace", namespace)
        .bind("username", username)
        .execute() > 0);
  }

  @Override
  public List<String> namespaces() {
    return read(h -> h.createQuery("""
            SELECT namespace FROM memberships UNION SELECT namespace FROM public_namespaces
            UNION SELECT namespace FROM robots ORDER BY 1""")
        .mapTo(String.class)
        .list());
  }

  @Override
  public java.util.Map<String, String> membersOf(String namespace) {
    return sortedPairs("SELECT username, role FROM memberships WHERE namespace = :value", namespace);
  }

  @Override
  public boolean isPublic(String namespace) {
    return read(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM public_namespaces WHERE namespace = :namespace)")
        .bind("namespace", namespace)
        .mapTo(Boolean.class)
        .one());
  }

  @Override
  public void setPublic(String namespace, boolean open) {
    useWriteTransaction(h -> h.createUpdate(open
            ? "INSERT INTO public_namespaces (namespace) VALUES (:namespace) ON CONFLICT (namespace) DO NOTHING"
            : "DELETE FROM public_namespaces WHERE namespace = :namespace")
        .bind("namespace", namespace)
        .execute());
  }

  private static final String ROBOT_COLUMNS =
      "name, secret_hash, namespace, role, created_by, created_at, expires_at, revoked_at";

  @Override
  public boolean addRobot(RobotRecord robot) {
    return inWriteTransaction(h -> h.createUpdate("""
            INSERT INTO robots (name, secret_hash, namespace, role, created_by, created_at, expires_at)
            VALUES (:name, :hash, :namespace, :role, :createdBy, :createdAt, :expiresAt)
            ON CONFLICT (name) DO NOTHING""")
        .bind("name", robot.name())
        .bind("hash", robot.secretHash())
        .bind("namespace", robot.namespace())
        .bind("role", robot.role())
        .bind("createdBy", robot.createdBy())
        .bind("createdAt", robot.createdAt().toEpochMilli())
        .bind("expiresAt", robot.expiresAt().map(Instant::toEpochMilli).orElse(null))
        .execute() > 0);
  }

  @Override
  public Optional<RobotRecord> findRobot(String name) {
    return read(h -> h.createQuery("SELECT " + ROBOT_COLUMNS + " FROM robots WHERE name = :name")
        .bind("name", name)
        .map(Rows::robot)
        .findOne());
  }

  @Override
  public List<RobotRecord> listRobots() {
    return read(h -> h.createQuery("SELECT " + ROBOT_COLUMNS + " FROM robots ORDER BY name").map(Rows::robot).list());
  }

  @Override
  public boolean revokeRobot(String name, Instant at) {
    return inWriteTransaction(h -> h.createUpdate(
            "UPDATE robots SET revoked_at = :at WHERE name = :name AND revoked_at IS NULL")
        .bind("name", name)
        .bind("at", at.toEpochMilli())
        .execute() > 0);
  }

  // ---- history (HistoryStore)

  private static final String RUN_COLUMNS = "id, requested_by, trigger_kind, dry_run, delete_untagged, grace_ms, "
      + "status, started_at, finished_at, bytes_freed, report, log, owner, heartbeat_at";

  @Override
  public boolean runStarted(GcRunRecord run) {
    // The unique index on running runs (V13) decides between processes starting runs at once.
    return inWriteTransaction(h -> h.createUpdate("""
            INSERT INTO gc_runs (id, requested_by, trigger_kind, dry_run, delete_untagged, grace_ms, status, started_at,
                                 owner, heartbeat_at)
            VALUES (:id, :requestedBy, :trigger, :dryRun, :deleteUntagged, :graceMs, 'running', :startedAt,
                    :owner, :startedAt)
            ON CONFLICT DO NOTHING""")
        .bind("id", run.id())
        .bind("requestedBy", run.requestedBy())
        .bind("trigger", run.trigger())
        .bind("dryRun", run.dryRun() ? 1 : 0)
        .bind("deleteUntagged", run.deleteUntagged() ? 1 : 0)
        .bind("graceMs", run.grace().toMillis())
        .bind("startedAt", run.startedAt().toEpochMilli())
        .bind("owner", run.owner().orElse(null))
        .execute() == 1);
  }

  @Override
  public void runHeartbeat(String id, Instant at) {
    useWriteTransaction(h -> h.createUpdate(
            "UPDATE gc_runs SET heartbeat_at = :at WHERE id = :id AND status = 'running'")
        .bind("id", id)
        .bind("at", at.toEpochMilli())
        .execute());
  }

  @Override
  public void runFinished(
      String id, GcRunRecord.Status status, Instant finishedAt, long bytesFreed, String report, String log) {
    useWriteTransaction(h -> h.createUpdate("""
            UPDATE gc_runs SET status = :status, finished_at = :finishedAt, bytes_freed = :bytesFreed,
                   report = :report, log = :log
             WHERE id = :id""")
        .bind("id", id)
        .bind("status", status.name().toLowerCase(java.util.Locale.ROOT))
        .bind("finishedAt", finishedAt.toEpochMilli())
        .bind("bytesFreed", bytesFreed)
        .bind("report", report)
        .bind("log", log)
        .execute());
  }

  @Override
  public int failRun(String id, Instant at, String reason) {
    return inWriteTransaction(h -> h.createUpdate("""
            UPDATE gc_runs SET status = 'failed', finished_at = :at,
                   log = CASE WHEN log IS NULL OR log = '' THEN :reason ELSE log || :newline || :reason END
             WHERE id = :id AND status = 'running'""")
        .bind("id", id)
        .bind("at", at.toEpochMilli())
        .bind("reason", reason)
        .bind("newline", "\n")
        .execute());
  }

  @Override
  public void appendRunItems(String runId, List<GcRunItem> items) {
    if (items.isEmpty()) {
      return;
    }
    // Unsynced: a 100,000-image collection appends 183 times, and with an fsync each, waiting on a
    // file system journal full of the blob deleters' unlinks, its item writes took 4.9-5.1 s against
    // 2.8-3.1 s without. The items go as one JSON array (Dialect#templateValues): bound row by row,
    // six parameters each, the first 1,000 took 66 ms in a fresh JVM, on the run's critical path.
    List<List<Object>> rows = items.stream().map(item -> java.util.Arrays.<Object>asList(
        item.seq(),
        item.kind().name().toLowerCase(java.util.Locale.ROOT),
        String.join(",", item.repositories().stream().map(RepositoryName::value).toList()),
        item.digest().map(Digest::toString).orElse(null),
        item.size())).toList();
    inWriteTransaction(h -> h.createUpdate("""
            INSERT INTO gc_run_items (run_id, seq, kind, repositories, digest, size)
            SELECT :runId, CAST(value ->> 0 AS BIGINT), value ->> 1, value ->> 2, value ->> 3, CAST(value ->> 4 AS BIGINT)
              FROM <runItems>""")
        .bind("runId", runId)
        .bind("runItems", Rows.jsonArray(rows))
        .execute(), false);
  }

  @Override
  public List<GcRunItem> runItems(String runId, long afterSeq, int limit) {
    return read(h -> h.createQuery("""
            SELECT seq, kind, repositories, digest, size FROM gc_run_items
             WHERE run_id = :runId AND seq > :after ORDER BY seq LIMIT :limit""")
        .bind("runId", runId)
        .bind("after", afterSeq)
        .bind("limit", checkedLimit(limit))
        .map(Rows::gcRunItem)
        .list());
  }

  @Override
  public List<GcRunRecord> recentRuns(int limit) {
    return read(h -> h.createQuery("SELECT " + RUN_COLUMNS + " FROM gc_runs ORDER BY started_at DESC, id LIMIT :limit")
        .bind("limit", checkedLimit(limit))
        .map(Rows::gcRun)
        .list());
  }

  @Override
  public List<GcRunRecord> runningRuns() {
    return read(h -> h.createQuery("SELECT " + RUN_COLUMNS + " FROM gc_runs WHERE status = 'running' ORDER BY started_at")
        .map(Rows::gcRun)
        .list());
  }

  @Override
  public Optional<GcRunRecord> findRun(String id) {
    return read(h -> h.createQuery("SELECT " + RUN_COLUMNS + " FROM gc_runs WHERE id = :id")
        .bind("id", id)
        .map(Rows::gcRun)
        .findOne());
  }

  @Override
  public void audit(AuditEntry entry) {
    useWriteTransaction(h -> h.createUpdate("""
            INSERT INTO audit_log (id, at, actor, action, target, detail)
            VALUES (:id, :at, :actor, :action, :target, :detail)""")
        .bind("id", entry.id())
        .bind("at", entry.at().toEpochMilli())
        .bind("actor", entry.actor())
        .bind("action", entry.action())
        .bind("target", entry.target())
        .bind("detail", entry.detail())
        .execute());
  }

  @Override
  public List<AuditEntry> recentAudit(int limit) {
    return read(h -> h.createQuery(
            "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY at DESC, id LIMIT :limit")
        .bind("limit", checkedLimit(limit))
        .map((rs, ctx) -> new AuditEntry(rs.getString("id"), Instant.ofEpochMilli(rs.getLong("at")),
            rs.getString("actor"), rs.getString("action"), rs.getString("target"), rs.getString("detail")))
        .list());
  }

  // ---- garbage collection (CollectorStore)

  @Override
  public List<RepositoryName> allRepositories() {
    return read(h -> h.createQuery("SELECT name FROM repositories ORDER BY name")
        .mapTo(String.class)
        .map(RepositoryName::new)
        .list());
  }

  @Override
  public List<ManifestNode> manifestNodes(RepositoryName repository) {
    return read(h -> h.createQuery("""
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
    return read(h -> h.createQuery(
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
      return inWriteTransaction(h -> {
        KeyPairs keys = KeyPairs.of(batch, repository, digest);
        if (!dialect.singleWriter()) {
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
      batch.stream().map(repository).distinct().forEach(this::repositoryChanged);
    }
  }

  @Override
  public void forEachUnusedLink(Instant cutoff, Set<ManifestKey> garbage, Consumer<BlobLink> action) {
    // One row per (link, referencing manifest), grouped by link: a link is unused when every
    // manifest that references it is garbage.
    read(h -> {
      GroupedScan<BlobLink> scan = new GroupedScan<>(action);
      h.createQuery("""
              SELECT l.repository, l.digest, mb.manifest_digest
                FROM repository_blobs l
                LEFT JOIN manifest_blobs mb ON mb.repository = l.repository AND mb.blob_digest = l.digest
               WHERE l.linked_at < :cutoff
               ORDER BY l.repository, l.digest""")
          .bind("cutoff", cutoff.toEpochMilli())
          .map((rs, ctx) -> {
            RepositoryName repository = new RepositoryName(rs.getString(1));
            String manifest = rs.getString(3);
            boolean live = manifest != null && !garbage.contains(new ManifestKey(repository, Digest.parse(manifest)));
            scan.row(new BlobLink(repository, Digest.parse(rs.getString(2))), live);
            return 0;
          })
          .forEach(ignored -> { });
      scan.finish();
      return null;
    });
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
    read(h -> {
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
      return inWriteTransaction(h -> {
        String digests = digestArray(batch);
        if (!dialect.singleWriter()) {
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
              .bind("digests", digestArray(marked.keySet()))
              .execute();
        }
        return marked;
      });
    } finally {
      blobsRetired();
    }
  }

  @Override
  public java.util.Map<Digest, List<RepositoryName>> linkedRepositories(java.util.Collection<Digest> blobs) {
    if (blobs.isEmpty()) {
      return java.util.Map.of();
    }
    return read(h -> {
      java.util.Map<Digest, List<RepositoryName>> linked = new java.util.HashMap<>();
      h.createQuery("SELECT digest, repository FROM repository_blobs WHERE digest IN <digests>")
          .bind("digests", digestArray(blobs))
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
    useWriteTransaction(h -> h.createUpdate("DELETE FROM blobs WHERE digest IN <digests> AND state = 'deleting'")
        .bind("digests", digestArray(digests))
        .execute());
  }

  @Override
  public java.util.Map<Digest, Long> deleteBlobRowsAndMarkNext(java.util.Collection<Digest> gone, List<Digest> next,
      Instant cutoff) {
    return atomically(() -> {
      deleteBlobRows(gone);
      return markBlobsDeleting(next, cutoff);
    });
  }

  @Override
  public List<UploadRecord> idleUploads(Instant idleSince) {
    return read(h -> h.createQuery(
            "SELECT id, repository, started_at, updated_at FROM uploads WHERE updated_at < :since ORDER BY id")
        .bind("since", idleSince.toEpochMilli())
        .map(Rows::upload)
        .list());
  }

  @Override
  public boolean knowsUpload(UploadId id) {
    return findUpload(id).isPresent();
  }

  @Override
  public java.util.Map<RepositoryName, Integer> linkCounts() {
    return read(h -> {
      java.util.Map<RepositoryName, Integer> counts = new java.util.HashMap<>();
      h.createQuery("SELECT repository, COUNT(*) FROM repository_blobs GROUP BY repository")
          .map((rs, ctx) -> counts.put(new RepositoryName(rs.getString(1)), rs.getInt(2)))
          .forEach(ignored -> { });
      return counts;
    });
  }

  /** SQLite accepts no alias on the table of a DELETE, so the condition names the table itself. */
  private static final String EMPTY_REPOSITORY = """
      NOT EXISTS (SELECT 1 FROM repository_blobs l WHERE l.repository = repositories.name)
      AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository = repositories.name)""";

  @Override
  public List<RepositoryName> emptyRepositories() {
    return read(h -> h.createQuery("SELECT name FROM repositories WHERE " + EMPTY_REPOSITORY + " ORDER BY name")
        .mapTo(String.class)
        .map(RepositoryName::new)
        .list());
  }

  @Override
  public Guarded deleteRepositoryIfEmpty(RepositoryName repository) {
    return changing(repository, () -> inWriteTransaction(h -> {
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
    read(h -> {
      h.createQuery("SELECT " + BLOB_COLUMNS + " FROM blobs b WHERE b.state = 'live' ORDER BY b.digest")
          .map(Rows::blob)
          .forEach(action);
      return null;
    });
  }

  @Override
  public List<BlobRecord> blobsOfManifest(RepositoryName repository, Digest manifest) {
    return read(h -> h.createQuery("SELECT " + BLOB_COLUMNS + """
             FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
            WHERE mb.repository = :repository AND mb.manifest_digest = :manifest ORDER BY b.digest""")
        .bind("repository", repository.value())
        .bind("manifest", manifest.toString())
        .map(Rows::blob)
        .list());
  }

  @Override
  public List<ManifestKey> manifestsUsingBlob(Digest blob) {
    return read(h -> h.createQuery(
            "SELECT repository, manifest_digest FROM manifest_blobs WHERE blob_digest = :blob ORDER BY repository")
        .bind("blob", blob.toString())
        .map((rs, ctx) -> new ManifestKey(new RepositoryName(rs.getString(1)), Digest.parse(rs.getString(2))))
        .list());
  }

  @Override
  public Optional<BlobRecord> findLiveBlob(Digest digest) {
    return read(h -> findBlob(h, digest)).filter(b -> b.state() == dev.berth.metadata.BlobState.LIVE);
  }

  @Override
  public boolean blobRowExists(Digest digest) {
    return read(h -> findBlob(h, digest)).isPresent();
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

  // ---- what fills the disk (InventoryStore)

  @Override
  public List<RepositoryUsage> repositoryUsage() {
    return read(h -> h.createQuery("""
            SELECT r.name,
                   COALESCE((SELECT SUM(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest
                              WHERE rb.repository = r.name AND b.state = 'live'), 0) AS bytes,
                   (SELECT COUNT(*) FROM tags t WHERE t.repository = r.name) AS tags,
                   (SELECT COUNT(*) FROM manifests m WHERE m.repository = r.name) AS manifests,
                   (SELECT MAX(m.created_at) FROM manifests m WHERE m.repository = r.name) AS last_manifest,
                   (SELECT MAX(t.updated_at) FROM tags t WHERE t.repository = r.name) AS last_tag
              FROM repositories r ORDER BY r.name""")
        .map((rs, ctx) -> {
          long lastManifest = rs.getLong("last_manifest");
          boolean noManifest = rs.wasNull();
          long lastTag = rs.getLong("last_tag");
          Optional<Instant> lastPush = noManifest ? Optional.empty()
              : Optional.of(Instant.ofEpochMilli(Math.max(lastManifest, lastTag)));
          return new RepositoryUsage(new RepositoryName(rs.getString("name")), rs.getLong("bytes"),
              rs.getLong("tags"), rs.getLong("manifests"), lastPush);
        })
        .list());
  }

  @Override
  public List<ManifestSummary> manifestsOf(RepositoryName repository) {
    return read(h -> h.createQuery("""
            SELECT m.digest, m.media_type, m.artifact_type, m.subject, m.size, m.created_at, m.last_pulled_at,
                   m.annotations,
                   COALESCE((SELECT SUM(b.size) FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
                              WHERE mb.repository = m.repository AND mb.manifest_digest = m.digest), 0) AS blob_bytes
              FROM manifests m WHERE m.repository = :repository
             ORDER BY m.created_at DESC, m.digest""")
        .bind("repository", repository.value())
        .map((rs, ctx) -> new ManifestSummary(
            Digest.parse(rs.getString("digest")),
            new dev.berth.oci.MediaType(rs.getString("media_type")),
            Optional.ofNullable(rs.getString("artifact_type")),
            Optional.ofNullable(rs.getString("subject")).map(Digest::parse),
            rs.getLong("size"),
            rs.getLong("blob_bytes"),
            Instant.ofEpochMilli(rs.getLong("created_at")),
            Optional.ofNullable((Number) rs.getObject("last_pulled_at")).map(n -> Instant.ofEpochMilli(n.longValue())),
            Rows.annotations(rs.getString("annotations"))))
        .list());
  }

  @Override
  public java.util.Map<Digest, List<Tag>> tagsByManifest(RepositoryName repository) {
    return read(h -> h.createQuery(
            "SELECT manifest_digest, name FROM tags WHERE repository = :repository ORDER BY name")
        .bind("repository", repository.value())
        .map((rs, ctx) -> java.util.Map.entry(Digest.parse(rs.getString(1)), new Tag(rs.getString(2))))
        .list()
        .stream()
        .collect(Collectors.groupingBy(java.util.Map.Entry::getKey, java.util.LinkedHashMap::new,
            Collectors.mapping(java.util.Map.Entry::getValue, Collectors.toList()))));
  }

  @Override
  public StorageTotals totals() {
    return read(h -> h.createQuery("""
            SELECT (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE state = 'live') AS live_bytes,
                   (SELECT COUNT(*) FROM blobs WHERE state = 'live') AS blobs,
                   (SELECT COUNT(*) FROM repositories) AS repositories,
                   (SELECT COUNT(*) FROM manifests) AS manifests""")
        .map((rs, ctx) -> new StorageTotals(rs.getLong("live_bytes"), rs.getLong("blobs"), rs.getLong("repositories"),
            rs.getLong("manifests")))
        .one());
  }

  @Override
  public void recordStorageSample(StorageSample sample) {
    // Two samples in the same millisecond say the same thing; the second is dropped.
    useWriteTransaction(h -> h.createUpdate(
            "INSERT INTO storage_samples (at, bytes) VALUES (:at, :bytes) ON CONFLICT (at) DO NOTHING")
        .bind("at", sample.at().toEpochMilli())
        .bind("bytes", sample.bytes())
        .execute());
  }

  @Override
  public List<StorageSample> storageSamples(Instant since) {
    return read(h -> h.createQuery("SELECT at, bytes FROM storage_samples WHERE at >= :since ORDER BY at")
        .bind("since", since.toEpochMilli())
        .map((rs, ctx) -> new StorageSample(Instant.ofEpochMilli(rs.getLong("at")), rs.getLong("bytes")))
        .list());
  }

  // ---- change notification

  /**
   * Only for SQLite: its file sits in the data directory, which one server process holds locked, so
   * every write goes through this object. A PostgreSQL database may have several writers.
   */
  @Override
  public boolean subscribe(ChangeListener listener) {
    if (dialect != Dialect.SQLITE) {
      return false;
    }
    listeners.add(listener);
    return true;
  }

  private <R> R changing(RepositoryName repository, java.util.function.Supplier<R> write) {
    try {
      return write.get();
    } finally {
      repositoryChanged(repository);
    }
  }

  /** Reported at once, or, inside {@link #atomically}, once its transaction has ended. */
  private void repositoryChanged(RepositoryName repository) {
    Joined transaction = joined.get();
    if (transaction != null) {
      transaction.changedRepositories.add(repository);
      return;
    }
    listeners.forEach(listener -> listener.repositoryChanged(repository));
  }

  private void blobsRetired() {
    Joined transaction = joined.get();
    if (transaction != null) {
      transaction.blobsRetired = true;
      return;
    }
    listeners.forEach(ChangeListener::blobsRetired);
  }

  // ---- one transaction for several calls

  /**
   * One commit for what would be several: a delete and its audit entry are one fsync instead of two,
   * and never one without the other. A call that throws inside {@code work} leaves what it wrote
   * in the transaction, so let the exception end {@code work}.
   */
  @Override
  public <R> R atomically(java.util.function.Supplier<R> work) {
    if (joined.get() != null) {
      return work.get();
    }
    Joined[] opened = new Joined[1];
    try {
      return inWriteTransaction(h -> {
        opened[0] = new Joined(h);
        joined.set(opened[0]);
        try {
          return work.get();
        } finally {
          joined.remove();
        }
      });
    } finally {
      if (opened[0] != null) {
        opened[0].changedRepositories.forEach(this::repositoryChanged);
        if (opened[0].blobsRetired) {
          blobsRetired();
        }
      }
    }
  }

  // ---- transactions

  private <R> R read(HandleCallback<R, RuntimeException> query) {
    Joined transaction = joined.get();
    if (transaction != null) {
      return query.withHandle(transaction.handle);
    }
    try {
      return jdbi.withHandle(query);
    } catch (JdbiException e) {
      throw new MetadataException("metadata read failed", e);
    }
  }

  private <R, X extends Exception> R inWriteTransaction(HandleCallback<R, X> transaction) throws X {
    return inWriteTransaction(transaction, true);
  }

  /**
   * {@code synced} false: the commit returns without waiting for the disk. The database's log is
   * written in order, so the next synced commit makes it durable; until then a power cut may lose
   * it, whole. For what a later synced write completes anyway, such as a GC run's items before the
   * run's end.
   */
  private <R, X extends Exception> R inWriteTransaction(HandleCallback<R, X> transaction, boolean synced) throws X {
    Joined open = joined.get();
    if (open != null) {
      return transaction.withHandle(open.handle);
    }
    try {
      if (!dialect.singleWriter()) {
        return jdbi.inTransaction(h -> {
          if (!synced) {
            h.execute("SET LOCAL synchronous_commit = off");
          }
          return transaction.withHandle(h);
        });
      }
      return synced ? groupCommit.run(transaction) : groupCommit.runUnsynced(transaction);
    } catch (JdbiException e) {
      throw new MetadataException("metadata write failed", e);
    }
  }

  private <X extends Exception> void useWriteTransaction(HandleConsumer<X> transaction) throws X {
    inWriteTransaction(h -> {
      transaction.useHandle(h);
      return null;
    });
  }
}
