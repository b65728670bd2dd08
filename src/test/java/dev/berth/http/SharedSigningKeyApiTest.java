package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.berth.config.ConfigException;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.token.signingkey}: replicas configured with one key accept each other's tokens; a
 * replica with its own generated key does not; an unusable key file stops the start.
 */
class SharedSigningKeyApiTest {
  private static final String PASSWORD = "shared-key-password-1";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  private Path sharedKey() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("shared").generate();
    return Files.writeString(dir.resolve("signing-key.jwk"), key.toJSONString());
  }

  private static String token(RunningRegistry registry) throws Exception {
    String basic = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(registry.uri("/token?service=berth&scope=registry:catalog:*"))
        .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body()).path("token").asText();
  }

  private static int withBearer(RunningRegistry registry, String token) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(registry.uri("/v2/")).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void replicasWithOneKeyAcceptEachOthersTokensAndNoOtherDoes() throws Exception {
    Path key = sharedKey();
    try (RunningRegistry a = RunningRegistry.with(dir.resolve("a")).auth(PASSWORD).signingKey(key).start();
        RunningRegistry b = RunningRegistry.with(dir.resolve("b")).auth(PASSWORD).signingKey(key).start();
        RunningRegistry own = RunningRegistry.with(dir.resolve("own")).auth(PASSWORD).start()) {
      String fromA = token(a);

      assertThat(withBearer(a, fromA)).isEqualTo(200);
      assertThat(withBearer(b, fromA)).as("another replica with the same key").isEqualTo(200);
      assertThat(withBearer(own, fromA)).as("a server with its own generated key").isEqualTo(401);
      assertThat(withBearer(a, token(b))).isEqualTo(200);
      assertThat(dir.resolve("a/berth/token-signing-key.jwk")).as("nothing generated beside a configured key")
          .doesNotExist();
    }
  }

  @Test
  void aKeyFileThatCannotSignStopsTheStartNamingTheKey() throws Exception {
    Path missing = dir.resolve("missing.jwk");
    Path publicOnly = Files.writeString(dir.resolve("public.jwk"),
        new ECKeyGenerator(Curve.P_256).generate().toPublicJWK().toJSONString());
    Path garbage = Files.writeString(dir.resolve("garbage.jwk"), "{not json");

    for (Path bad : new Path[] {missing, publicOnly, garbage}) {
      assertThatThrownBy(() -> RunningRegistry.with(dir.resolve("data-" + bad.getFileName())).auth(PASSWORD)
          .signingKey(bad).start())
          .as(bad.toString())
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid value for 'auth.token.signingkey': ")
          .hasMessageContaining(bad.toString());
    }
  }
}
