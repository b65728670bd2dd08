package dev.berth.metadata.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.InProcessDigestGuard;
import dev.berth.metadata.MetadataException;
import dev.berth.oci.Digest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard shared by every process on one PostgreSQL database: a session-level advisory lock per
 * digest (docs/design.md, "The per-digest guard").
 *
 * <p>Advisory locks belong to a database session, not to a transaction, so they hold across the
 * byte write and the commits around it, and the server lets go of them when the session ends: a
 * process killed while holding digests frees them as soon as its connections close. They are taken
 * on connections of their own (a small pool beside the metadata pool), never on the connections the
 * holders run their transactions on: a holder waiting for a digest then never keeps a transaction's
 * connection from the holder it waits for.
 *
 * <p>A process first takes its own striped lock of the digest ({@link InProcessDigestGuard}), so
 * that of the threads of one process only one at a time waits on the server for a digest, holding
 * one of the few lock connections.
 */
public final class PostgresDigestGuard implements DigestGuard {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresDigestGuard.class);
  /**
   * The first key of Berth's advisory locks ("brth"): other applications on the same database use
   * other first keys, or the one-key form, which PostgreSQL keeps apart from the two-key form.
   */
  static final int DIGEST_LOCKS = 0x62727468;
  private static final String LOCK = "SELECT count(pg_advisory_lock(" + DIGEST_LOCKS + ", k)) FROM unnest(?) AS k";
  private static final String UNLOCK = "SELECT count(*) FILTER (WHERE NOT pg_advisory_unlock(" + DIGEST_LOCKS
      + ", k)) FROM unnest(?) AS k";

  private final InProcessDigestGuard local = new InProcessDigestGuard();
  private final HikariDataSource connections;

  private PostgresDigestGuard(HikariDataSource connections) {
    this.connections = connections;
  }

  /**
   * The share of {@code database.maxconnections} the guard's own pool takes: a quarter, at least
   * two (a collection holds one for its whole run, and uploads must still get one).
   */
  public static int connectionsOf(int maxConnections) {
    return Math.max(2, maxConnections / 4);
  }

  public static PostgresDigestGuard open(String jdbcUrl, String user, String password, int connections) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("berth-digest-guard");
    hikari.setJdbcUrl(jdbcUrl);
    hikari.setUsername(user);
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(connections);
    // Connections are opened as holders need them: most of the time no digest is held.
    hikari.setMinimumIdle(0);
    hikari.setAutoCommit(true);
    try {
      return new PostgresDigestGuard(new HikariDataSource(hikari));
    } catch (RuntimeException e) {
      throw new MetadataException("cannot connect to the metadata database", e);
    }
  }

  /**
   * The key of a digest. Digests are uniformly distributed, so 32 of their bits are as good a key as
   * any: two digests sharing one merely wait for each other now and then.
   */
  static int keyOf(Digest digest) {
    return Integer.parseUnsignedInt(digest.hex().substring(0, 8), 16);
  }

  @Override
  public Held hold(Digest digest) {
    Held here = local.hold(digest);
    try {
      Connection connection = connections.getConnection();
      try {
        Integer[] keys = {keyOf(digest)};
        run(connection, LOCK, keys);
        return () -> {
          try (connection) {
            release(connection, keys);
          } catch (SQLException e) {
            LOG.warn("closing a digest guard connection: {}", e.getMessage());
          } finally {
            here.close();
          }
        };
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
    } catch (SQLException e) {
      here.close();
      throw new MetadataException("cannot lock digest " + digest + " in the metadata database", e);
    } catch (RuntimeException | Error e) {
      here.close();
      throw e;
    }
  }

  @Override
  public Batches batches() {
    Connection connection;
    try {
      connection = connections.getConnection();
    } catch (SQLException e) {
      throw new MetadataException("cannot reserve a digest guard connection", e);
    }
    return new Batches() {
      @Override
      public synchronized Held holdAll(Collection<Digest> digests) {
        Held here = local.batches().holdAll(digests);
        TreeSet<Integer> sorted = new TreeSet<>();
        digests.forEach(digest -> sorted.add(keyOf(digest)));
        Integer[] keys = sorted.toArray(Integer[]::new);
        try {
          // In key order, as every batch: two batches never wait for each other in a cycle.
          run(connection, LOCK, keys);
        } catch (SQLException e) {
          here.close();
          throw new MetadataException("cannot lock " + keys.length + " digests in the metadata database", e);
        }
        return () -> {
          try {
            synchronized (this) {
              release(connection, keys);
            }
          } finally {
            here.close();
          }
        };
      }

      @Override
      public void close() {
        try {
          // Closing hands the connection back to the pool, which keeps the session: whatever a
          // failed batch left held is let go here.
          try (PreparedStatement all = connection.prepareStatement("SELECT pg_advisory_unlock_all()")) {
            all.execute();
          }
          connection.close();
        } catch (SQLException e) {
          LOG.warn("closing a digest guard connection: {}", e.getMessage());
        }
      }
    };
  }

  private static void run(Connection connection, String sql, Integer[] keys) throws SQLException {
    Array array = connection.createArrayOf("integer", keys);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(1, array);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
      }
    } finally {
      array.free();
    }
  }

  /**
   * Lets go of {@code keys}. A key that was not held any more means the session was lost on the way
   * (the server restarted, or an administrator ended it), so the digest was unguarded for a while.
   */
  private static void release(Connection connection, Integer[] keys) {
    try {
      Array array = connection.createArrayOf("integer", keys);
      try (PreparedStatement statement = connection.prepareStatement(UNLOCK)) {
        statement.setArray(1, array);
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          long lost = result.getLong(1);
          if (lost > 0) {
            LOG.warn("{} digest locks were no longer held when released: the database session was lost", lost);
          }
        }
      } finally {
        array.free();
      }
    } catch (SQLException e) {
      // The session is gone, and its locks with it.
      LOG.warn("releasing digest locks: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    connections.close();
  }
}
