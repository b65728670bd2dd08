package dev.berth.metadata.sql;

import dev.berth.metadata.RetentionStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/** A namespace's content as retention reads it, and retention runs with their items. */
final class SqlRetention implements RetentionStore {
  private static final String RUN_COLUMNS = "id, namespace, requested_by, trigger_kind, dry_run, status, owner, "
      + "started_at, heartbeat_at, finished_at, images, kept, deleted, skipped, bytes_freed, error";

  private final SqlTransactions tx;

  SqlRetention(SqlTransactions tx) {
    this.tx = tx;
  }

  @Override
  public List<RepositoryName> repositoriesOf(String namespace) {
    return tx.read(h -> NamespaceRange.bind(h.createQuery("SELECT name FROM repositories WHERE " + NamespaceRange.holds("name")
            + " ORDER BY name"), namespace)
        .map((rs, ctx) -> new RepositoryName(rs.getString(1)))
        .list());
  }

  @Override
  public List<NamespaceImage> imagesOf(RepositoryName repository) {
    // One snapshot for the reads: an image's tags and references as of one instant.
    return tx.read(h -> h.inTransaction(TransactionIsolationLevel.REPEATABLE_READ,
        t -> readImages(t, repository)));
  }

  private static List<NamespaceImage> readImages(Handle h, RepositoryName repository) {
    // One object per distinct digest and tag rather than one per reference: 400 images of a
    // repository make 1,600 references to a few hundred layers.
    Map<String, Digest> digests = new HashMap<>();
    Map<String, Tag> tagNames = new HashMap<>();
    Map<String, List<Tag>> tags = new HashMap<>();
    Map<String, Long> tagged = new HashMap<>();
    h.createQuery("SELECT name, manifest_digest, updated_at FROM tags WHERE repository = :repository")
        .bind("repository", repository.value())
        .map((rs, ctx) -> {
          String digest = rs.getString(2);
          tags.computeIfAbsent(digest, d -> new ArrayList<>()).add(tagNames.computeIfAbsent(rs.getString(1), Tag::new));
          tagged.merge(digest, rs.getLong(3), Math::max);
          return null;
        })
        .forEach(row -> { });
    Set<String> listed = new HashSet<>(h.createQuery(
            "SELECT DISTINCT child_digest FROM manifest_children WHERE repository = :repository")
        .bind("repository", repository.value())
        .mapTo(String.class)
        .list());
    // A manifest's blobs as one text: a quarter of the rows a row per reference makes, and each row
    // read costs more than the digests it carries (a 100,000-image namespace: 217 ms against 305).
    Map<String, List<Digest>> blobs = new HashMap<>();
    h.createQuery("""
            SELECT manifest_digest, string_agg(blob_digest, ',') FROM manifest_blobs
             WHERE repository = :repository GROUP BY manifest_digest""")
        .bind("repository", repository.value())
        .map((rs, ctx) -> {
          String[] theirs = rs.getString(2).split(",");
          List<Digest> parsed = new ArrayList<>(theirs.length);
          for (String blob : theirs) {
            parsed.add(digests.computeIfAbsent(blob, Digest::parse));
          }
          return blobs.put(rs.getString(1), parsed);
        })
        .forEach(row -> { });
    return h.createQuery("""
            SELECT digest, created_at, last_pulled_at, subject FROM manifests WHERE repository = :repository
             ORDER BY digest""")
        .bind("repository", repository.value())
        .map((rs, ctx) -> {
          String digest = rs.getString(1);
          long pushed = Math.max(rs.getLong(2), tagged.getOrDefault(digest, Long.MIN_VALUE));
          return new NamespaceImage(repository, digests.computeIfAbsent(digest, Digest::parse),
              tags.getOrDefault(digest, List.of()), Instant.ofEpochMilli(pushed),
              Optional.ofNullable((Number) rs.getObject(3)).map(n -> Instant.ofEpochMilli(n.longValue())),
              listed.contains(digest), Optional.ofNullable(rs.getString(4)).map(Digest::parse),
              blobs.getOrDefault(digest, List.of()));
        })
        .list();
  }

  @Override
  public Map<Digest, Long> sizesUnusedOutside(String namespace, Collection<Digest> blobs) {
    if (blobs.isEmpty()) {
      return Map.of();
    }
    return tx.read(h -> NamespaceRange.bind(h.createQuery("""
            SELECT b.digest, b.size FROM blobs b
             WHERE b.digest IN <digests>
               AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest
                                  AND NOT\s""" + NamespaceRange.holds("mb.repository") + ")"), namespace)
        .bind("digests", Rows.digestArray(blobs))
        .map((rs, ctx) -> Map.entry(Digest.parse(rs.getString(1)), rs.getLong(2)))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Override
  public void startRun(RunRecord run) {
    tx.use(h -> h.createUpdate("""
            INSERT INTO retention_runs (id, namespace, requested_by, trigger_kind, dry_run, status, owner, started_at,
                                        heartbeat_at)
            VALUES (:id, :namespace, :requestedBy, :trigger, :dryRun, 'running', :owner, :startedAt, :startedAt)""")
        .bind("id", run.id())
        .bind("namespace", run.namespace().orElse(null))
        .bind("requestedBy", run.requestedBy())
        .bind("trigger", run.trigger())
        .bind("dryRun", run.dryRun() ? 1 : 0)
        .bind("owner", run.owner())
        .bind("startedAt", run.startedAt().toEpochMilli())
        .execute());
  }

  @Override
  public void recordItems(String runId, List<RunItem> items, Instant heartbeatAt) {
    List<List<Object>> rows = items.stream().map(item -> Arrays.<Object>asList(
        item.seq(), item.repository().value(), item.digest().toString(),
        String.join(",", item.tags().stream().map(Tag::value).toList()),
        item.outcome().name().toLowerCase(Locale.ROOT), item.rule().orElse(null), item.reason(), item.bytes()))
        .toList();
    // Unsynced, as a collection's items: the run's end is a synced commit that makes them durable.
    tx.write(h -> {
      if (!rows.isEmpty()) {
        h.createUpdate("""
                INSERT INTO retention_run_items (run_id, seq, repository, digest, tags, outcome, rule, reason, bytes)
                SELECT :runId, CAST(value ->> 0 AS BIGINT), value ->> 1, value ->> 2, value ->> 3, value ->> 4,
                       value ->> 5, value ->> 6, CAST(value ->> 7 AS BIGINT)
                  FROM <runItems>""")
            .bind("runId", runId)
            .bind("runItems", Rows.jsonArray(rows))
            .execute();
      }
      h.createUpdate("UPDATE retention_runs SET heartbeat_at = :at WHERE id = :id")
          .bind("id", runId)
          .bind("at", heartbeatAt.toEpochMilli())
          .execute();
      return null;
    }, false);
  }

  @Override
  public void finishRun(String id, Status status, Instant finishedAt, Totals totals, Optional<String> error) {
    tx.use(h -> h.createUpdate("""
            UPDATE retention_runs SET status = :status, finished_at = :finishedAt, heartbeat_at = :finishedAt,
                   images = :images, kept = :kept, deleted = :deleted, skipped = :skipped, bytes_freed = :bytes,
                   error = :error
             WHERE id = :id""")
        .bind("id", id)
        .bind("status", status.name().toLowerCase(Locale.ROOT))
        .bind("finishedAt", finishedAt.toEpochMilli())
        .bind("images", totals.images())
        .bind("kept", totals.kept())
        .bind("deleted", totals.deleted())
        .bind("skipped", totals.skipped())
        .bind("bytes", totals.bytesFreed())
        .bind("error", error.orElse(null))
        .execute());
  }

  @Override
  public Optional<RunRecord> findRun(String id) {
    return tx.read(h -> h.createQuery("SELECT " + RUN_COLUMNS + " FROM retention_runs WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> run(rs))
        .findOne());
  }

  @Override
  public List<RunRecord> recentRuns(int limit) {
    return tx.read(h -> h.createQuery("SELECT " + RUN_COLUMNS
            + " FROM retention_runs ORDER BY started_at DESC, id LIMIT :limit")
        .bind("limit", Rows.checkedLimit(limit))
        .map((rs, ctx) -> run(rs))
        .list());
  }

  @Override
  public List<RunItem> runItems(String id, long after, int limit) {
    return tx.read(h -> h.createQuery("""
            SELECT seq, repository, digest, tags, outcome, rule, reason, bytes FROM retention_run_items
             WHERE run_id = :id AND seq > :after ORDER BY seq LIMIT :limit""")
        .bind("id", id)
        .bind("after", after)
        .bind("limit", Rows.checkedLimit(limit))
        .map((rs, ctx) -> new RunItem(rs.getLong(1), new RepositoryName(rs.getString(2)), Digest.parse(rs.getString(3)),
            rs.getString(4).isEmpty() ? List.of()
                : Arrays.stream(rs.getString(4).split(",")).map(Tag::new).toList(),
            Outcome.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)), Optional.ofNullable(rs.getString(6)),
            rs.getString(7), rs.getLong(8)))
        .list());
  }

  private static RunRecord run(ResultSet rs) throws SQLException {
    Optional<Instant> finished = Optional.ofNullable((Number) rs.getObject("finished_at"))
        .map(n -> Instant.ofEpochMilli(n.longValue()));
    return new RunRecord(rs.getString("id"), Optional.ofNullable(rs.getString("namespace")),
        rs.getString("requested_by"), rs.getString("trigger_kind"), rs.getInt("dry_run") != 0,
        Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)), rs.getString("owner"),
        Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(rs.getLong("heartbeat_at")), finished,
        new Totals(rs.getLong("images"), rs.getLong("kept"), rs.getLong("deleted"), rs.getLong("skipped"),
            rs.getLong("bytes_freed")),
        Optional.ofNullable(rs.getString("error")));
  }
}
