package dev.berth.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenServiceTest {
  @TempDir
  Path dir;

  private static final RepositoryName APP = RepositoryName.of("team/app");
  private static final Principal ALICE = new Principal("alice", Principal.Kind.USER, false, Map.of());

  private TokenService service(Path keyFile, Instant now) throws Exception {
    return TokenService.open(keyFile, "berth", Duration.ofMinutes(5), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void issuesAndVerifiesExactlyTheGrantedActions() throws Exception {
    TokenService tokens = service(dir.resolve("key.jwk"), Instant.now());
    String token = tokens.issue(ALICE, List.of(new Scope(APP, Set.of(Action.PULL, Action.PUSH))));

    TokenService.Verified verified = tokens.verify(token).orElseThrow();
    assertThat(verified.subject()).isEqualTo("alice");
    assertThat(verified.actionsOn(APP)).containsExactlyInAnyOrder(Action.PULL, Action.PUSH);
    assertThat(verified.actionsOn(RepositoryName.of("team/other"))).isEmpty();
    assertThat(header(token)).contains("\"alg\":\"ES256\"");
  }

  @Test
  void theSigningKeyPersistsAcrossRestartsAndIsPrivate() throws Exception {
    Path key = dir.resolve("key.jwk");
    String token = service(key, Instant.now()).issue(ALICE, List.of(new Scope(APP, Set.of(Action.PULL))));
    assertThat(service(key, Instant.now()).verify(token)).isPresent();
    assertThat(Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void expiredTokensAreRejected() throws Exception {
    Path key = dir.resolve("key.jwk");
    String old = service(key, Instant.now().minus(Duration.ofHours(1))).issue(ALICE, List.of());
    assertThat(service(key, Instant.now()).verify(old)).isEmpty();
  }

  @Test
  void foreignKeysAlgNoneAndTamperingAreRejected() throws Exception {
    TokenService tokens = service(dir.resolve("key.jwk"), Instant.now());
    TokenService stranger = service(dir.resolve("other.jwk"), Instant.now());
    String genuine = tokens.issue(ALICE, List.of(new Scope(APP, Set.of(Action.PULL))));

    assertThat(tokens.verify(stranger.issue(ALICE, List.of()))).as("signed by another key").isEmpty();

    String[] parts = genuine.split("\\.");
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    assertThat(tokens.verify(none)).as("alg none").isEmpty();

    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("[\"pull\"]", "[\"pull\",\"push\",\"delete\"]");
    assertThat(tokens.verify(parts[0] + "." + b64(payload) + "." + parts[2])).as("widened grants").isEmpty();

    String hs256 = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];
    assertThat(tokens.verify(hs256)).as("algorithm switched").isEmpty();
    assertThat(tokens.verify("garbage")).isEmpty();
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String header(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
  }
}
