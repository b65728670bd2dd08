package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BlobBackend;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.RegistryResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs on S3 as deployed by default: GETs redirect to the object store; its failures are 503s. */
class S3RedirectApiTest {
  @TempDir
  Path root;
  private RegistryClient registry;
  private final HttpClient direct = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    direct.close();
    registry.close();
  }

  private RegistryClient start() throws Exception {
    registry = RegistryClient.start(root, false, BlobBackend.S3_WITH_REDIRECTS);
    return registry;
  }

  private byte[] fetch(String location, String range) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(location));
    if (range != null) {
      request.header("Range", range);
    }
    HttpResponse<byte[]> response = direct.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isIn(200, 206);
    return response.body();
  }

  @Test
  void aBlobGetRedirectsToAShortLivedPreSignedUrlWhileHeadAndManifestsAreServedDirectly() throws Exception {
    start();
    String repo = RegistryClient.uniqueRepo("redirect");
    byte[] content = RegistryClient.randomBytes(50_000);
    String digest = registry.pushBlob(repo, content);
    String path = "/v2/" + repo + "/blobs/" + digest;

    RegistryResponse get = registry.get(path);
    assertThat(get.status()).as("%s", get).isEqualTo(307);
    assertThat(get.header("Docker-Content-Digest")).isEqualTo(digest);
    String location = get.header("Location");
    assertThat(location).startsWith(registry.registry().s3().orElseThrow().endpoint().toString())
        .contains("X-Amz-Expires=1200").contains("X-Amz-Signature=");
    assertThat(fetch(location, null)).isEqualTo(content);
    assertThat(fetch(location, "bytes=100-199")).isEqualTo(Arrays.copyOfRange(content, 100, 200));

    RegistryResponse head = registry.head(path);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.contentLength()).isEqualTo(content.length);
    assertThat(head.hasHeader("Location")).isFalse();

    RegistryClient.PushedManifest image = registry.pushImage(repo, "v1");
    RegistryResponse manifest = registry.getManifest(repo, "v1", image.mediaType());
    assertThat(manifest.status()).isEqualTo(200);
    assertThat(manifest.body()).isEqualTo(image.bytes());
  }

  @Test
  void anUnreachableObjectStoreIsA503WithTheOciErrorBodyAndRecordsNothing() throws Exception {
    start();
    String repo = RegistryClient.uniqueRepo("unavailable");
    String stored = registry.pushBlob(repo, RegistryClient.randomBytes(1000));
    String location = registry.startUpload(repo);
    registry.registry().s3().orElseThrow().close();

    RegistryResponse get = registry.get("/v2/" + repo + "/blobs/" + stored);
    assertThat(get.status()).as("%s", get).isEqualTo(503);
    assertThat(get.errorCodes()).containsExactly("UNAVAILABLE");
    assertThat(get.text()).doesNotContain("Exception");

    byte[] lost = RegistryClient.randomBytes(1000);
    String lostDigest = dev.berth.testing.Digests.sha256(lost);
    RegistryResponse put = registry.call("PUT", RegistryClient.withQuery(location, "digest", lostDigest))
        .header("Content-Type", "application/octet-stream").body(lost).send();
    assertThat(put.status()).as("%s", put).isEqualTo(503);
    assertThat(put.errorCodes()).containsExactly("UNAVAILABLE");
    RegistryResponse start = registry.call("POST", "/v2/" + repo + "/blobs/uploads/").send();
    assertThat(start.status()).as("%s", start).isEqualTo(503);
    // No row names the bytes that never arrived: the registry still says they are unknown.
    assertThat(registry.head("/v2/" + repo + "/blobs/" + lostDigest).status()).isEqualTo(404);
  }
}
