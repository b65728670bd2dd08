package dev.berth.metadata.sql;

import java.util.Map;

/** What differs between the two databases the one schema and one set of queries run on. */
enum Dialect {
  /**
   * SQLite has no row locks: a writer holds the whole database from {@code BEGIN IMMEDIATE} to commit,
   * which already gives every write transaction the isolation the row locks give on PostgreSQL.
   */
  SQLITE("sqlite", "TEXT", "BLOB", "WITHOUT ROWID", "", "", true, "json_each(:%s)", "json_each(:%s)"),
  POSTGRES("postgresql", "TEXT COLLATE \"C\"", "BYTEA", "", "FOR SHARE", "FOR UPDATE", false,
      "json_array_elements_text(CAST(:%s AS json))", "json_array_elements(CAST(:%s AS json))");

  /**
   * Where the migrations only this database runs live, beside the shared ones: V9 and V11 rebuilt
   * whole tables to cluster them, which only SQLite's storage needed ({@link ReplacedMigrations}).
   */
  private final String ownMigrations;

  private final String keyType;
  private final String binaryType;
  /**
   * For tables of small rows reached by their primary key: SQLite then keeps them in that key's
   * B-tree alone, instead of a rowid table plus a key index that every insert and delete also
   * writes. PostgreSQL's tables have no such choice (and its migrations do not use it).
   */
  private final String clusteredByKey;
  private final String forShare;
  private final String forUpdate;
  private final boolean singleWriter;
  /** A table of the texts of the JSON array bound to the named parameter, in its column {@code value}. */
  private final String textsOfArray;
  /** A table of the elements of the JSON array bound to the named parameter, as JSON in {@code value}. */
  private final String elementsOfArray;

  Dialect(String ownMigrations, String keyType, String binaryType, String clusteredByKey, String forShare,
      String forUpdate, boolean singleWriter, String textsOfArray, String elementsOfArray) {
    this.ownMigrations = ownMigrations;
    this.keyType = keyType;
    this.binaryType = binaryType;
    this.clusteredByKey = clusteredByKey;
    this.forShare = forShare;
    this.forUpdate = forUpdate;
    this.singleWriter = singleWriter;
    this.textsOfArray = textsOfArray;
    this.elementsOfArray = elementsOfArray;
  }

  /** Flyway's locations for this database: the shared migrations, then its own. */
  String[] migrationLocations() {
    return new String[] {"classpath:" + SchemaVersion.MIGRATIONS, "classpath:db/" + ownMigrations};
  }

  /** Values for the placeholders of the Flyway migrations. */
  Map<String, String> placeholders() {
    return Map.of("key_type", keyType, "binary_type", binaryType, "clustered_by_key", clusteredByKey);
  }

  /**
   * Values for the templates of the queries: the {@code <forShare>}, {@code <forUpdate>} and
   * {@code <forKeyShare>} row-lock clauses; {@code <digests>}, the digests of the JSON array bound
   * to {@code :digests} as a subquery ({@code digest IN <digests>}); {@code <keyPairs>}, the rows of the JSON array of
   * [repository, digest] pairs bound to {@code :keyPairs} ({@link KeyPairs}); {@code <runItems>},
   * the rows of the JSON array of a collection's items bound to {@code :runItems}; {@code <rows>}, the
   * rows of the JSON array of arrays bound to {@code :rows}, each in {@code value} (an import's rows:
   * {@code INSERT ... SELECT value ->> 0, ... FROM <rows> WHERE true}, the {@code WHERE} telling
   * SQLite's parser that an {@code ON CONFLICT} clause follows).
   *
   * <p>A list is bound as one JSON text rather than one parameter per element: every batch then
   * runs the same short statement, where a thousand placeholders made a new statement text per
   * batch size for JDBI to parse and SQLite to prepare, and a thousand arguments to bind one by one
   * (a collection of 6,211 blobs spent a tenth of its CPU there and in compiling that path).
   */
  Map<String, String> templateValues() {
    return Map.of(
        "forShare", forShare,
        "forUpdate", forUpdate,
        // Held by whoever references a row, so it cannot be deleted under them; updates of its other
        // columns go on (FOR SHARE would make them wait).
        "forKeyShare", singleWriter ? "" : "FOR KEY SHARE",
        "digests", "(SELECT value FROM " + textsOfArray.formatted("digests") + ")",
        "keyPairs", elementsOfArray.formatted("keyPairs"),
        "runItems", elementsOfArray.formatted("runItems"),
        "rows", elementsOfArray.formatted("rows"));
  }

  /** True when the database admits one writer at a time, so writers should queue in-process. */
  boolean singleWriter() {
    return singleWriter;
  }
}
