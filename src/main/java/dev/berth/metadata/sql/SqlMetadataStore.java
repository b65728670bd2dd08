package dev.berth.metadata.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.BlobMetadata;
import dev.berth.metadata.ChangeListener;
import dev.berth.metadata.CollectorStore;
import dev.berth.metadata.ConsoleSessionStore;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.InventoryStore;
import dev.berth.metadata.JobClaims;
import dev.berth.metadata.LoginFailureStore;
import dev.berth.metadata.ManifestMetadata;
import dev.berth.metadata.MetadataException;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.MetadataTransaction;
import dev.berth.metadata.PolicyStore;
import dev.berth.metadata.QuotaLedger;
import dev.berth.metadata.RetentionStore;
import dev.berth.metadata.UsageStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The metadata store on SQLite (the embedded default) or PostgreSQL, with one schema and one set of
 * queries for both: opens the pool, migrates the schema, and hands out one store per concern, all
 * over one {@link SqlTransactions}.
 */
public final class SqlMetadataStore implements MetadataStore {

  private static final int SQLITE_POOL_SIZE = 4;
  /** How long a writer waits for another process (e.g. {@code berth gc}) to release the database. */
  private static final int SQLITE_BUSY_TIMEOUT_MILLIS = 10_000;

  private final SqlTransactions transactions;
  private final SqlBlobs blobs;
  private final SqlManifests manifests;
  private final SqlCollector collector;
  private final SqlHistory history;
  private final SqlAccess access;
  private final SqlInventory inventory;
  private final SqlConsoleSessions consoleSessions;
  private final SqlLoginFailures loginFailures;
  private final SqlJobClaims jobClaims;
  private final SqlPolicies policies;
  private final SqlUsage usage;
  private final Optional<ProcessQuotaCounts> processCounts;
  private final SqlRetention retention;

  private SqlMetadataStore(SqlTransactions transactions) {
    this.transactions = transactions;
    this.blobs = new SqlBlobs(transactions);
    this.manifests = new SqlManifests(transactions);
    this.collector = new SqlCollector(transactions, blobs);
    this.history = new SqlHistory(transactions);
    this.access = new SqlAccess(transactions);
    this.inventory = new SqlInventory(transactions);
    this.consoleSessions = new SqlConsoleSessions(transactions);
    this.loginFailures = new SqlLoginFailures(transactions);
    this.jobClaims = new SqlJobClaims(transactions);
    this.policies = new SqlPolicies(transactions);
    this.processCounts = transactions.dialect().singleWriter() ? Optional.of(new ProcessQuotaCounts()) : Optional.empty();
    this.usage = new SqlUsage(transactions, processCounts);
    this.retention = new SqlRetention(transactions);
  }

  static final int WAL_AUTOCHECKPOINT_PAGES = 40_000;
  /** Per connection, in KiB. */
  static final int CACHE_KIB = 32 * 1024;

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
        if (dialect == Dialect.POSTGRES) {
          ReplacedMigrations.acceptOldScripts(pool);
        }
        migrations(pool, dialect).load().migrate();
      }
    } catch (FlywayException | SQLException e) {
      pool.close();
      throw new MetadataException("cannot migrate the metadata database", e);
    }
    SqlTransactions transactions = new SqlTransactions(pool, dialect);
    try {
      // What an import that did not finish left unindexed.
      DeferredIndexes.build(transactions);
    } catch (RuntimeException e) {
      transactions.close();
      throw e;
    }
    return new SqlMetadataStore(transactions);
  }

  /** Flyway's configuration for the dialect's migrations. */
  static FluentConfiguration migrations(DataSource database, Dialect dialect) {
    return Flyway.configure(SqlMetadataStore.class.getClassLoader())
        .dataSource(database)
        .locations(dialect.migrationLocations())
        .placeholders(dialect.placeholders());
  }

  @Override
  public BlobMetadata blobs() {
    return blobs;
  }

  @Override
  public ManifestMetadata manifests() {
    return manifests;
  }

  @Override
  public CollectorStore collector() {
    return collector;
  }

  @Override
  public HistoryStore history() {
    return history;
  }

  @Override
  public AccessStore access() {
    return access;
  }

  @Override
  public InventoryStore inventory() {
    return inventory;
  }

  /** Console sessions, shared by every process on this database. */
  public ConsoleSessionStore consoleSessions() {
    return consoleSessions;
  }

  /** Failed sign-ins, counted for every process on this database. */
  public LoginFailureStore loginFailures() {
    return loginFailures;
  }

  /** Claims of scheduled jobs' occurrences, on this database. */
  public JobClaims jobClaims() {
    return jobClaims;
  }

  @Override
  public PolicyStore policies() {
    return policies;
  }

  @Override
  public UsageStore usage() {
    return usage;
  }

  @Override
  public RetentionStore retention() {
    return retention;
  }

  /** The stores of one open transaction. */
  private record Transaction(BlobMetadata blobs, ManifestMetadata manifests, HistoryStore history, QuotaLedger quota)
      implements MetadataTransaction {}

  @Override
  public <R> R atomically(Function<MetadataTransaction, R> work) {
    return transactions.atomically(bound ->
        work.apply(new Transaction(new SqlBlobs(bound), new SqlManifests(bound), new SqlHistory(bound),
            new SqlUsage(bound, processCounts))));
  }

  @Override
  public boolean subscribe(ChangeListener listener) {
    return transactions.subscribe(listener);
  }

  @Override
  public void close() {
    transactions.close();
  }
}
