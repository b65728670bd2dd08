package dev.berth.metadata.sql;

import java.util.Map;

/** What differs between the two databases the one schema and one set of queries run on. */
enum Dialect {
  /**
   * SQLite has no row locks: a writer holds the whole database from {@code BEGIN IMMEDIATE} to commit,
   * which already gives every write transaction the isolation the row locks give on PostgreSQL.
   */
  SQLITE("TEXT", "BLOB", "WITHOUT ROWID", "", "", true),
  POSTGRES("TEXT COLLATE \"C\"", "BYTEA", "", "FOR SHARE", "FOR UPDATE", false);

  private final String keyType;
  private final String binaryType;
  /**
   * For tables of small rows reached by their primary key: SQLite then keeps them in that key's
   * B-tree alone, instead of a rowid table plus a key index that every insert and delete also
   * writes. PostgreSQL's tables have no such choice.
   */
  private final String clusteredByKey;
  private final String forShare;
  private final String forUpdate;
  private final boolean singleWriter;

  Dialect(String keyType, String binaryType, String clusteredByKey, String forShare, String forUpdate,
      boolean singleWriter) {
    this.keyType = keyType;
    this.binaryType = binaryType;
    this.clusteredByKey = clusteredByKey;
    this.forShare = forShare;
    this.forUpdate = forUpdate;
    this.singleWriter = singleWriter;
  }

  /** Values for the placeholders of the Flyway migrations. */
  Map<String, String> placeholders() {
    return Map.of("key_type", keyType, "binary_type", binaryType, "clustered_by_key", clusteredByKey);
  }

  /** Values for the {@code <forShare>} and {@code <forUpdate>} row-lock clauses of the queries. */
  Map<String, String> lockClauses() {
    return Map.of("forShare", forShare, "forUpdate", forUpdate);
  }

  /** True when the database admits one writer at a time, so writers should queue in-process. */
  boolean singleWriter() {
    return singleWriter;
  }
}
