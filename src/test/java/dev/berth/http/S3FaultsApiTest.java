package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cleanup.ConsistencyCheck;
import dev.berth.server.BerthServer;
import dev.berth.testing.BlobBackend;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import dev.berth.testing.S3Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An object store that fails: every third operation, then every one. Each request is answered
 * either as it would be without faults or with 503 UNAVAILABLE (never a 500), and once the faults
 * stop, everything acknowledged pulls intact and fsck finds no row without its bytes.
 */
class S3FaultsApiTest {
  /** Larger than the 5 MiB part, so that its chunks cross a part boundary and its commit copies parts. */
  private static final int LARGE = 6 << 20;

  @TempDir
  Path root;
  private RegistryClient registry;
  private S3Server.Faults faults;
  private final List<Integer> statuses = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.S3);
    faults = registry.registry().s3().orElseThrow().faults();
  }

  @AfterEach
  void stop() throws Exception {
    registry.close();
  }

  /** Sends a request of a push; false when the registry said the store is unavailable. */
  private RegistryResponse send(RegistryClient.Call call, int... expected) {
    RegistryResponse response = call.send();
    statuses.add(response.status());
    if (response.status() == 503) {
      assertThat(response.errorCodes()).as("%s", response).containsExactly("UNAVAILABLE");
    } else {
      assertThat(response.status()).as("%s", response).isIn(Arrays.stream(expected).boxed().toList());
    }
    return response;
  }

  /** POST, PATCHes of {@code chunk} bytes, PUT; false when any of them was a 503. */
  private boolean pushBlob(String repo, byte[] content, int chunk) {
    RegistryResponse started = send(registry.call("POST", "/v2/" + repo + "/blobs/uploads/"), 202);
    if (started.status() == 503) {
      return false;
    }
    String location = started.header("Location");
    for (int offset = 0; offset < content.length; offset += chunk) {
      byte[] part = Arrays.copyOfRange(content, offset, Math.min(content.length, offset + chunk));
      RegistryResponse patched = send(registry.call("PATCH", location)
          .header("Content-Type", "application/octet-stream")
          .header("Content-Range", offset + "-" + (offset + part.length - 1)).body(part), 202);
      if (patched.status() == 503) {
        return false;
      }
      location = patched.header("Location");
    }
    return send(registry.call("PUT", RegistryClient.withQuery(location, "digest", Digests.sha256(content))), 201)
        .status() == 201;
  }

  /** An image of a small config and a large layer; its manifest when every step was acknowledged. */
  private byte[] tryPushImage(String repo, String tag, Map<String, byte[]> blobs) {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}").getBytes();
    byte[] layer = RegistryClient.randomBytes(LARGE);
    if (!pushBlob(repo, config, config.length) || !pushBlob(repo, layer, 2 << 20)) {
      return null;
    }
    blobs.put(Digests.sha256(config), config);
    blobs.put(Digests.sha256(layer), layer);
    byte[] manifest = ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(ManifestBuilder.Descriptor.of(ManifestBuilder.OCI_CONFIG, config))
        .layers(ManifestBuilder.Descriptor.of(ManifestBuilder.OCI_LAYER, layer)).build();
    RegistryResponse put = send(registry.call("PUT", "/v2/" + repo + "/manifests/" + tag)
        .header("Content-Type", ManifestBuilder.OCI_MANIFEST).body(manifest), 201);
    return put.status() == 201 ? manifest : null;
  }

  @Test
  void failuresAreAnswered503AndLeaveNoRowWithoutItsBytes() throws Exception {
    String repo = RegistryClient.uniqueRepo("faults");
    Map<String, byte[]> acknowledged = new LinkedHashMap<>();
    Map<String, byte[]> manifests = new LinkedHashMap<>();

    faults.failEvery(3);
    for (int i = 0; i < 4; i++) {
      byte[] manifest = tryPushImage(repo, "every-third-" + i, acknowledged);
      if (manifest != null) {
        manifests.put("every-third-" + i, manifest);
      }
    }
    assertThat(faults.injected()).isPositive();
    assertThat(manifests).as("images acknowledged while every third operation failed: %s", statuses).isNotEmpty();
    for (String digest : acknowledged.keySet()) {
      send(registry.call("GET", "/v2/" + repo + "/blobs/" + digest), 200);
    }

    faults.failEvery(1);
    assertThat(tryPushImage(repo, "all-failing", new LinkedHashMap<>())).isNull();
    if (!acknowledged.isEmpty()) {
      String digest = acknowledged.keySet().iterator().next();
      assertThat(send(registry.call("GET", "/v2/" + repo + "/blobs/" + digest), 200).status()).isEqualTo(503);
    }
    assertThat(statuses).contains(503).doesNotContain(500);

    faults.off();
    List<String> problems = new ArrayList<>();
    try (BerthServer.Stores stores = BerthServer.Stores.open(registry.registry().settings())) {
      ConsistencyCheck.Result fsck = new ConsistencyCheck(stores.metadata().collector(), stores.blobs()).run(true, problems::add);
      assertThat(fsck.dangling()).as("%s", problems).isEmpty();
      assertThat(fsck.corrupt()).as("%s", problems).isEmpty();
    }
    for (Map.Entry<String, byte[]> blob : acknowledged.entrySet()) {
      RegistryResponse get = registry.get("/v2/" + repo + "/blobs/" + blob.getKey());
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.body()).isEqualTo(blob.getValue());
    }
    for (Map.Entry<String, byte[]> manifest : manifests.entrySet()) {
      assertThat(registry.getManifest(repo, manifest.getKey(), ManifestBuilder.OCI_MANIFEST).body())
          .isEqualTo(manifest.getValue());
    }
    assertThat(tryPushImage(repo, "after", new LinkedHashMap<>())).isNotNull();
  }
}
