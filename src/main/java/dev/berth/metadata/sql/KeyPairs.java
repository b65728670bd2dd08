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
  /** The start of a query over the keys bound by {@link #bind}. */
  static final String TABLE = "WITH k (repository, digest) AS (SELECT value ->> 0, value ->> 1 FROM <keyPairs>)\n";

  private final List<List<String>> pairs;

  private KeyPairs(List<List<String>> pairs) {
    this.pairs = pairs;
  }

  static <K> KeyPairs of(List<K> keys, Function<K, RepositoryName> repository, Function<K, Digest> digest) {
    return new KeyPairs(keys.stream().map(key -> List.of(repository.apply(key).value(), digest.apply(key).toString())).toList());
  }

  <S extends SqlStatement<S>> S bind(S statement) {
    return statement.bind("keyPairs", Rows.jsonArray(pairs));
  }

  /** Runs {@code sql}, which names {@code :repository} and {@code :digest}, once per key in one batch. */
  void forEach(Handle h, String sql) {
    if (pairs.isEmpty()) {
      return;
    }
    PreparedBatch batch = h.prepareBatch(sql);
    for (List<String> pair : pairs) {
      batch.bind("repository", pair.get(0)).bind("digest", pair.get(1)).add();
    }
    batch.execute();
  }
}
