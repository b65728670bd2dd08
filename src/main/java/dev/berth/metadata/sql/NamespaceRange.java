package dev.berth.metadata.sql;

import java.util.Locale;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A namespace's repositories in SQL: {@code ns} itself and the key range {@code [ns/, ns0)}.
 * {@code '0'} follows {@code '/'} in byte order (the order of both databases' keys), so the range
 * holds exactly the names under {@code ns/}, and neither {@code ns2} nor {@code ns_x}; a range
 * rather than LIKE, whose {@code _} is a wildcard a repository name may hold.
 */
final class NamespaceRange {
  private NamespaceRange() {}

  /** The condition that {@code column} names one of the namespace's repositories. */
  static String holds(String column) {
    return String.format(Locale.ROOT, "(%1$s = :namespace OR (%1$s >= :under AND %1$s < :beyond))", column);
  }

  /** Binds the namespace the conditions of {@link #holds} name. */
  static <S extends SqlStatement<S>> S bind(S statement, String namespace) {
    return statement.bind("namespace", namespace).bind("under", namespace + "/").bind("beyond", namespace + "0");
  }
}
