package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.auth.Principal;
import dev.berth.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sessions expire after the idle timeout, each use pushes the expiry back, and ids are unguessable. */
class SessionStoreTest {
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Principal ADMIN = new Principal("admin", Principal.Kind.USER, true, Map.of());

  @Test
  void aSessionLivesWhileUsedAndEndsAfterTheIdleTimeout() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    SessionStore store = new SessionStore(IDLE, clock);
    Session session = store.create(ADMIN);

    clock.advance(IDLE.minusMinutes(1));
    assertThat(store.find(session.id())).map(Session::principal).hasValue(ADMIN);
    clock.advance(IDLE.minusMinutes(1));
    assertThat(store.find(session.id())).as("the last use pushed the expiry back").isPresent();
    clock.advance(IDLE);
    assertThat(store.find(session.id())).isEmpty();
  }

  @Test
  void signingOutEndsTheSessionAndIdsAndTokensAreRandom() {
    SessionStore store = new SessionStore(IDLE, new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
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
  void theCsrfGuardAcceptsOnlyTheSessionsOwnToken() {
    Session session = new SessionStore(IDLE, new MutableClock(Instant.parse("2026-01-01T00:00:00Z"))).create(ADMIN);
    assertThat(CsrfGuard.accepts(session, Optional.of(session.csrfToken()))).isTrue();
    assertThat(CsrfGuard.accepts(session, Optional.of(session.csrfToken() + "x"))).isFalse();
    assertThat(CsrfGuard.accepts(session, Optional.of(""))).isFalse();
    assertThat(CsrfGuard.accepts(session, Optional.empty())).isFalse();
  }
}
