package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} and {@code /metrics}. */
class OpsApiTest {
  @TempDir
  static Path root;
  static RegistryClient registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryClient.start(root, false);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  @Test
  void healthzAnswers200() {
    RegistryResponse r = registry.get("/healthz");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("status").asText()).isEqualTo("ok");
  }

  @Test
  void metricsExposeRequestsByRouteInPrometheusText() throws Exception {
    String repo = RegistryClient.uniqueRepo("ops");
    registry.get("/v2/");
    String digest = registry.pushBlob(repo, "metered".getBytes());
    registry.get("/v2/" + repo + "/blobs/" + digest);

    // Requests are recorded when they complete, which may be just after the client saw the response.
    Pattern baseRoute = Pattern.compile("(?m)^berth_http_requests\\w*\\{[^}]*route=\"base\"[^}]*} \\S+");
    Pattern blobRoute = Pattern.compile("(?m)^berth_http_requests\\w*\\{[^}]*route=\"blob_get\"[^}]*} \\S+");
    RegistryResponse metrics = registry.get("/metrics");
    for (int attempt = 0; attempt < 50 && !blobRoute.matcher(metrics.text()).find(); attempt++) {
      Thread.sleep(100);
      metrics = registry.get("/metrics");
    }

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.header("Content-Type")).startsWith("text/plain");
    assertThat(metrics.text()).contains("# TYPE berth_http_requests");
    assertThat(baseRoute.matcher(metrics.text()).find()).as("base route in:%n%s", metrics.text()).isTrue();
    assertThat(blobRoute.matcher(metrics.text()).find()).as("blob_get route in:%n%s", metrics.text()).isTrue();
  }
}
