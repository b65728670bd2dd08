package dev.berth.metadata.sql;

import dev.berth.metadata.PolicyStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Namespaces' policies in the {@code namespace_policies} table, one row per namespace. */
final class SqlPolicies implements PolicyStore {
  private static final String COLUMNS = "namespace, document, updated_at, updated_by";

  private final SqlTransactions statements;

  SqlPolicies(SqlTransactions statements) {
    this.statements = statements;
  }

  /**
   * One upsert: two replicas setting a namespace's policy at once leave one of the two whole, never a
   * mix. The usage counted under the old policy is dropped: pushes made while the namespace had no
   * quota were not counted, so the next push under a quota counts the usage again.
   */
  @Override
  public void put(StoredPolicy policy) {
    statements.write(h -> h.createUpdate("INSERT INTO namespace_policies (" + COLUMNS + """
            ) VALUES (:namespace, :document, :updatedAt, :updatedBy)
            ON CONFLICT (namespace) DO UPDATE SET document = excluded.document,
              updated_at = excluded.updated_at, updated_by = excluded.updated_by,
              usage_bytes = NULL""")
        .bind("namespace", policy.namespace())
        .bind("document", policy.document())
        .bind("updatedAt", policy.updatedAt().toEpochMilli())
        .bind("updatedBy", policy.updatedBy())
        .execute());
  }

  @Override
  public Optional<StoredPolicy> find(String namespace) {
    return statements.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM namespace_policies WHERE namespace = :namespace")
        .bind("namespace", namespace)
        .map((rs, ctx) -> row(rs))
        .findOne());
  }

  @Override
  public List<StoredPolicy> all() {
    return statements.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM namespace_policies ORDER BY namespace")
        .map((rs, ctx) -> row(rs))
        .list());
  }

  @Override
  public boolean remove(String namespace) {
    return statements.write(h -> h.createUpdate("DELETE FROM namespace_policies WHERE namespace = :namespace")
        .bind("namespace", namespace)
        .execute()) > 0;
  }

  private static StoredPolicy row(ResultSet rs) throws SQLException {
    return new StoredPolicy(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4));
  }
}
