package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.auth.Principal;
import dev.berth.auth.SecretHash;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions expire after the idle timeout, each use pushes the expiry back, ids are unguessable and
 * the database keeps only their hashes; a session follows its user as stored.
 */
class SessionStoreTest {
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Principal ADMIN = new Principal("admin", Principal.Kind.USER, true, Map.of());

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  /** The users as stored now, by name. */
  private final Map<String, Principal> users = new HashMap<>(Map.of("admin", ADMIN));
  private SqlMetadataStore database;
  private SessionStore store;

  @BeforeEach
  void open() {
    database = SqlMetadataStore.sqlite(dir.resolve("metadata.db"));
    database.access().addUser(new AccessStore.UserRecord("admin", "hash", true, T0));
    store = new SessionStore(database.consoleSessions(), IDLE, clock, name -> Optional.ofNullable(users.get(name)));
  }

  @AfterEach
  void close() {
    database.close();
  }

  private List<String> storedColumn(String column) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT " + column + " FROM console_sessions")) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }

  @Test
  void aSessionLivesWhileUsedAndEndsAfterTheIdleTimeout() {
    Session session = store.create(ADMIN);

    clock.advance(IDLE.minusMinutes(1));
    assertThat(store.find(session.id())).map(Session::principal).hasValue(ADMIN);
    clock.advance(IDLE.minusMinutes(1));
    assertThat(store.find(session.id())).as("the last use pushed the expiry back").isPresent();
    clock.advance(IDLE);
    assertThat(store.find(session.id())).isEmpty();
  }

  @Test
  void aUseWithinAnExtensionStepWritesNothingSoTheSessionEndsAtMostAStepEarly() {
    Session session = store.create(ADMIN);
    Duration withinStep = SessionStore.EXTENSION_STEP.minusSeconds(1);
    clock.advance(withinStep);
    assertThat(store.find(session.id())).map(Session::expiresAt).hasValue(T0.plus(IDLE));

    clock.advance(IDLE.minus(withinStep));
    assertThat(store.find(session.id())).as("idle for less than the timeout, but more than it less a step")
        .isEmpty();
  }

  @Test
  void signingOutEndsTheSessionAndIdsAndTokensAreRandom() {
    Session first = store.create(ADMIN);
    Session second = store.create(ADMIN);
    assertThat(first.id()).hasSize(43).isNotEqualTo(second.id()).isNotEqualTo(first.csrfToken());
    assertThat(first.csrfToken()).isNotEqualTo(second.csrfToken());

    store.remove(first.id());
    assertThat(store.find(first.id())).isEmpty();
    assertThat(store.find(second.id())).isPresent();
    assertThat(store.find("not-a-session")).isEmpty();
  }

  @Test
  void theDatabaseHoldsTheHashOfTheIdNeverTheId() throws Exception {
    Session session = store.create(ADMIN);

    assertThat(storedColumn("token_hash")).containsExactly(SecretHash.sha256(session.id()));
    for (String column : List.of("token_hash", "username", "csrf_token", "expires_at", "flash")) {
      assertThat(storedColumn(column)).as(column).noneMatch(value -> value.contains(session.id()));
    }
    assertThat(store.find(SecretHash.sha256(session.id()))).as("the hash is no id").isEmpty();
  }

  @Test
  void theCsrfTokenIsBoundToItsSession() {
    Session session = store.create(ADMIN);
    Session found = store.find(session.id()).orElseThrow();
    Session other = store.find(store.create(ADMIN).id()).orElseThrow();

    assertThat(found.csrfToken()).isEqualTo(session.csrfToken());
    assertThat(CsrfGuard.accepts(found, Optional.of(session.csrfToken()))).isTrue();
    assertThat(CsrfGuard.accepts(found, Optional.of(other.csrfToken()))).isFalse();
    assertThat(CsrfGuard.accepts(found, Optional.of(session.csrfToken() + "x"))).isFalse();
    assertThat(CsrfGuard.accepts(found, Optional.of(""))).isFalse();
    assertThat(CsrfGuard.accepts(found, Optional.empty())).isFalse();
  }

  @Test
  void aSessionFollowsItsUserAsStoredAndEndsWithIt() {
    Session session = store.create(ADMIN);
    Principal demoted = new Principal("admin", Principal.Kind.USER, false, Map.of());
    users.put("admin", demoted);
    assertThat(store.find(session.id())).map(Session::principal).hasValue(demoted);

    database.access().removeUser("admin");
    users.remove("admin");
    assertThat(store.find(session.id())).isEmpty();
  }

  @Test
  void aFlashIsShownByTheNextPageOnly() {
    Session session = store.create(ADMIN);
    store.flash(session, "Not started: invalid duration");

    Session next = store.takeFlash(store.find(session.id()).orElseThrow());
    assertThat(next.flash()).isEqualTo("Not started: invalid duration");
    assertThat(store.find(session.id()).orElseThrow().flash()).isEmpty();
  }

  @Test
  void loggingInForgetsExpiredSessions() throws Exception {
    store.create(ADMIN);
    clock.advance(IDLE);
    Session later = store.create(ADMIN);

    assertThat(storedColumn("token_hash")).containsExactly(SecretHash.sha256(later.id()));
  }
}
