package dev.berth.metadata.sql;

import dev.berth.metadata.ConsoleSessionStore;
import java.time.Instant;
import java.util.Optional;

/** Console sessions in the {@code console_sessions} table. */
final class SqlConsoleSessions implements ConsoleSessionStore {
  /** What every console request runs: one lookup of the table's primary key. */
  static final String FIND = """
      SELECT token_hash, username, csrf_token, expires_at, flash FROM console_sessions
       WHERE token_hash = :tokenHash AND expires_at > :now""";

  private final SqlTransactions statements;

  SqlConsoleSessions(SqlTransactions statements) {
    this.statements = statements;
  }

  @Override
  public void create(SessionRecord session) {
    statements.write(h -> h.createUpdate("""
            INSERT INTO console_sessions (token_hash, username, csrf_token, expires_at, flash)
            VALUES (:tokenHash, :username, :csrfToken, :expiresAt, :flash)""")
        .bind("tokenHash", session.tokenHash())
        .bind("username", session.username())
        .bind("csrfToken", session.csrfToken())
        .bind("expiresAt", session.expiresAt().toEpochMilli())
        .bind("flash", session.flash())
        .execute());
  }

  @Override
  public Optional<SessionRecord> find(String tokenHash, Instant now) {
    return statements.read(h -> h.createQuery(FIND)
        .bind("tokenHash", tokenHash)
        .bind("now", now.toEpochMilli())
        .map((rs, ctx) -> new SessionRecord(rs.getString(1), rs.getString(2), rs.getString(3),
            Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5)))
        .findOne());
  }

  @Override
  public void extend(String tokenHash, Instant expiresAt, Instant now) {
    statements.write(h -> h.createUpdate(
            "UPDATE console_sessions SET expires_at = :expiresAt WHERE token_hash = :tokenHash AND expires_at > :now")
        .bind("tokenHash", tokenHash)
        .bind("expiresAt", expiresAt.toEpochMilli())
        .bind("now", now.toEpochMilli())
        .execute());
  }

  @Override
  public void delete(String tokenHash) {
    statements.write(h -> h.createUpdate("DELETE FROM console_sessions WHERE token_hash = :tokenHash")
        .bind("tokenHash", tokenHash)
        .execute());
  }

  @Override
  public void setFlash(String tokenHash, String message) {
    statements.write(h -> h.createUpdate("UPDATE console_sessions SET flash = :message WHERE token_hash = :tokenHash")
        .bind("tokenHash", tokenHash)
        .bind("message", message)
        .execute());
  }

  @Override
  public void clearFlash(String tokenHash, String shown) {
    statements.write(h -> h.createUpdate(
            "UPDATE console_sessions SET flash = '' WHERE token_hash = :tokenHash AND flash = :shown")
        .bind("tokenHash", tokenHash)
        .bind("shown", shown)
        .execute());
  }

  @Override
  public int deleteExpired(Instant now) {
    return statements.write(h -> h.createUpdate("DELETE FROM console_sessions WHERE expires_at <= :now")
        .bind("now", now.toEpochMilli())
        .execute());
  }
}
