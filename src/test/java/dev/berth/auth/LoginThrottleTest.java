package dev.berth.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginThrottleTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
  @TempDir Path dir;
  private SqlMetadataStore store;
  private LoginThrottle throttle;

  @BeforeEach
  void open() {
    store = SqlMetadataStore.sqlite(dir.resolve("metadata.db"));
    throttle = new LoginThrottle(store.loginFailures(), 3, Duration.ofMinutes(5), clock, store.history());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void fail(String user, String address, int times) {
    for (int i = 0; i < times; i++) {
      throttle.failed(user, address);
    }
  }

  private String[] storedKeys() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT DISTINCT throttle_key FROM login_failures")) {
      java.util.List<String> keys = new java.util.ArrayList<>();
      while (rows.next()) {
        keys.add(rows.getString(1));
      }
      return keys.toArray(String[]::new);
    }
  }

  @Test
  void failuresForOneNameFromOneAddressStopThatPairOnly() {
    fail("alice", "10.0.0.66", 3);

    assertThat(throttle.allows("alice", "10.0.0.66")).isFalse();
    assertThat(throttle.allows("alice", "10.0.0.7")).as("alice, from her own desk").isTrue();
    assertThat(throttle.allows("bob", "10.0.0.66")).as("another name from the same address").isTrue();
  }

  @Test
  void manyNamesFromOneAddressStopThatAddress() {
    for (int i = 0; i < 30; i++) {
      throttle.failed("user" + i, "10.0.0.66");
    }

    assertThat(throttle.allows("someone-else", "10.0.0.66")).isFalse();
    assertThat(throttle.allows("someone-else", "10.0.0.7")).isTrue();
  }

  @Test
  void failuresCountOverTheWholeWindowNotFromTheFirstFailure() {
    fail("alice", "10.0.0.66", 2);
    clock.advance(Duration.ofMinutes(4));
    fail("alice", "10.0.0.66", 1);
    assertThat(throttle.allows("alice", "10.0.0.66")).isFalse();

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(throttle.allows("alice", "10.0.0.66")).as("the first two are out of the window").isTrue();
    fail("alice", "10.0.0.66", 2);
    assertThat(throttle.allows("alice", "10.0.0.66")).as("these two and the one of a minute ago").isFalse();
  }

  @Test
  void theWindowMovesOnAndForgetsTheFailures() throws Exception {
    for (int i = 0; i < 20; i++) {
      throttle.failed("random-" + i, "10.0.0." + (i % 4));
    }
    assertThat(storedKeys()).hasSize(24);
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));

    assertThat(throttle.allows("random-0", "10.0.0.0")).isTrue();
    throttle.failed("alice", "10.0.0.66");
    assertThat(storedKeys()).as("only the last failure's pair and address").hasSize(2);
  }

  @Test
  void theStoreHoldsHashesNotNamesOrAddresses() throws Exception {
    throttle.failed("my-password-typed-as-a-name", "10.0.0.66");

    assertThat(storedKeys()).hasSize(2).allSatisfy(key -> assertThat(key).matches("[0-9a-f]{64}")
        .doesNotContain("my-password").doesNotContain("10.0.0.66"));
  }
}
