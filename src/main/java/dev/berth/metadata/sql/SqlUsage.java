package dev.berth.metadata.sql;

import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.QuotaLedger;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.statement.Query;

/**
 * Namespaces' usage from the manifests of their repositories, and the quota check's lock and count
 * on the namespace's {@code namespace_policies} row (on SQLite, whether the namespace is counted;
 * the count itself is in {@link ProcessQuotaCounts}). A namespace's repositories are those {@link NamespaceRange} holds.
 */
final class SqlUsage implements QuotaLedger {
  private static final String REPOSITORIES_OF_NAMESPACE =
      "SELECT name FROM repositories WHERE " + NamespaceRange.holds("name");
  private static final String IN_NAMESPACE = NamespaceRange.holds("repository");

  /** A blob counts once however many manifests and repositories reference it; so does a manifest. */
  static final String USAGE = "SELECT (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE digest IN"
      + " (SELECT blob_digest FROM manifest_blobs WHERE " + IN_NAMESPACE + "))"
      + " + (SELECT COALESCE(SUM(size), 0) FROM (SELECT digest, MAX(size) AS size FROM manifests WHERE "
      + IN_NAMESPACE + " GROUP BY digest) distinct_manifests)";

  /**
   * Looks up the namespace's repositories first, then each blob and the manifest by key in each of
   * them: proportional to the manifest's references times the namespace's repositories, never to
   * what the namespace holds.
   */
  static final String ADDS = "SELECT COALESCE((SELECT SUM(size) FROM blobs WHERE digest IN <digests>"
      + " AND NOT EXISTS (SELECT 1 FROM manifest_blobs WHERE repository IN (" + REPOSITORIES_OF_NAMESPACE + ")"
      + " AND blob_digest = blobs.digest)), 0)"
      + " + CASE WHEN EXISTS (SELECT 1 FROM manifests WHERE repository IN (" + REPOSITORIES_OF_NAMESPACE + ")"
      + " AND digest = :digest) THEN 0 ELSE CAST(:size AS BIGINT) END";

  private final SqlTransactions tx;
  /** Present on SQLite only: see {@link ProcessQuotaCounts}. */
  private final Optional<ProcessQuotaCounts> processCounts;

  SqlUsage(SqlTransactions tx, Optional<ProcessQuotaCounts> processCounts) {
    this.tx = tx;
    this.processCounts = processCounts;
  }

  @Override
  public long usage(String namespace) {
    return tx.read(h -> NamespaceRange.bind(h.createQuery(USAGE), namespace).mapTo(Long.class).one());
  }

  @Override
  public Optional<Counted> addToCount(ManifestRecord manifest) {
    if (processCounts.isPresent()) {
      // SQLite: the transaction holds the database's only write lock already, and the count is in memory.
      String namespace = manifest.repository().namespace();
      return tx.write(h -> weighing(h.createQuery("SELECT document, (" + ADDS
              + ") FROM namespace_policies WHERE namespace = :namespace AND usage_bytes IS NOT NULL"), manifest)
          .map((rs, ctx) -> new Weighed(rs.getString(1), rs.getLong(2)))
          .findOne())
          .flatMap(weighed -> {
            OptionalLong usage = processCounts.get().add(tx, namespace, weighed.adds());
            return usage.isPresent() ? Optional.of(new Counted(weighed.document(), usage.getAsLong())) : Optional.empty();
          });
    }
    // The row lock the UPDATE takes is the one hold() would take.
    return tx.write(h -> weighing(h.createQuery("UPDATE namespace_policies SET usage_bytes = usage_bytes + (" + ADDS
            + ") WHERE namespace = :namespace AND usage_bytes IS NOT NULL RETURNING document, usage_bytes"), manifest)
        .map((rs, ctx) -> new Counted(rs.getString(1), rs.getLong(2)))
        .findOne());
  }

  private record Weighed(String document, long adds) {}

  @Override
  public Optional<String> hold(String namespace) {
    return tx.write(h -> h.createQuery("SELECT document FROM namespace_policies WHERE namespace = :namespace <forUpdate>")
        .bind("namespace", namespace)
        .mapTo(String.class)
        .findOne());
  }

  @Override
  public long adds(ManifestRecord manifest) {
    return tx.read(h -> weighing(h.createQuery(ADDS), manifest).mapTo(Long.class).one());
  }

  private static Query weighing(Query query, ManifestRecord manifest) {
    return NamespaceRange.bind(query, manifest.repository().namespace())
        .bind("digests", Rows.digestArray(manifest.blobs()))
        .bind("digest", manifest.digest().toString())
        .bind("size", manifest.size());
  }

  @Override
  public void count(String namespace, long usage) {
    processCounts.ifPresent(counts -> counts.set(tx, namespace, usage));
    tx.use(h -> h.createUpdate("UPDATE namespace_policies SET usage_bytes = :usage WHERE namespace = :namespace")
        .bind("usage", usage)
        .bind("namespace", namespace)
        .execute());
  }
}
