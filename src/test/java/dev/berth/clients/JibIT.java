package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.testing.RunningRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jib (jib-core, the library behind the Maven and Gradle plugins) builds and pushes an image into Berth. */
class JibIT {
  @TempDir
  static Path work;

  static RunningRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.start(work.resolve("registry"), false);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  @Test
  void jibBuildsAndPushesAnImage() throws Exception {
    Path app = work.resolve("app");
    Files.createDirectories(app);
    byte[] payload = new byte[700_000];
    new Random(7).nextBytes(payload);
    Files.write(app.resolve("app.bin"), payload);
    Files.writeString(app.resolve("run.sh"), "#!/bin/sh\necho hello from jib\n");

    JibContainer container = Jib.fromScratch()
        .addLayer(List.of(app.resolve("app.bin"), app.resolve("run.sh")), AbsoluteUnixPath.get("/app"))
        .setEntrypoint("/app/run.sh")
        .containerize(Containerizer.to(RegistryImage.named(registry.hostPort() + "/jib/app:v1"))
            .setAllowInsecureRegistries(true)
            .setOfflineMode(false));

    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<byte[]> manifest = client.send(HttpRequest.newBuilder(registry.uri("/v2/jib/app/manifests/v1"))
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(manifest.headers().firstValue("Docker-Content-Digest")).contains(container.getDigest().toString());

    var layers = new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest.body()).path("layers");
    assertThat(layers).hasSize(1);
    URI layer = registry.uri("/v2/jib/app/blobs/" + layers.get(0).path("digest").asText());
    HttpResponse<byte[]> blob = client.send(HttpRequest.newBuilder(layer).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(blob.statusCode()).isEqualTo(200);
    assertThat("sha256:" + dev.berth.testing.OciLayout.sha256(blob.body())).isEqualTo(layers.get(0).path("digest").asText());
    assertThat(blob.body().length).isEqualTo(layers.get(0).path("size").asLong());
  }
}
