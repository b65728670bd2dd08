package dev.berth.metadata.sql;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A batch of (repository, digest) keys, so that GC locks, judges and deletes a whole batch in three
 * statements instead of three per key. The keys become a common table {@code k (repository,
 * digest)} that queries join on their primary key; both databases then look each key up in the
 * index, where {@code (a, b) IN (VALUES ...)} makes SQLite scan the table.
 */
final class KeyPairs {
  private final List<String> repositories;
  private final List<String> digests;

  private KeyPairs(List<String> repositories, List<String> digests) {
    this.repositories = repositories;
    this.digests = digests;
  }

  static <K> KeyPairs of(List<K> keys, Function<K, RepositoryName> repository, Function<K, Digest> digest) {
    return new KeyPairs(
        keys.stream().map(key -> repository.apply(key).value()).toList(),
        keys.stream().map(key -> digest.apply(key).toString()).toList());
  }

  /** {@code WITH k (repository, digest) AS (VALUES (:r0, :d0), ...)}, to start a query with. */
  String table() {
    StringBuilder sql = new StringBuilder("WITH k (repository, digest) AS (VALUES ");
    for (int i = 0; i < repositories.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("(:r").append(i).append(", :d").append(i).append(')');
    }
    return sql.append(")\n").toString();
  }

  <S extends SqlStatement<S>> S bind(S statement) {
    for (int i = 0; i < repositories.size(); i++) {
      statement.bind("r" + i, repositories.get(i)).bind("d" + i, digests.get(i));
    }
    return statement;
  }

  /** Runs {@code sql}, which names {@code :repository} and {@code :digest}, once per key in one batch. */
  void forEach(Handle h, String sql) {
    if (repositories.isEmpty()) {
      return;
    }
    PreparedBatch batch = h.prepareBatch(sql);
    for (int i = 0; i < repositories.size(); i++) {
      batch.bind("repository", repositories.get(i)).bind("digest", digests.get(i)).add();
    }
    batch.execute();
  }
}
