package dev.berth.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * The requests of {@link TrainingRunCommand}: a push of a two-blob image (one blob monolithic, one
 * in a chunked upload), then rounds of what clients mostly send, pulls and the base endpoint,
 * then a manifest deletion. Every answer's status is checked, so a run that trained on error pages
 * fails instead of recording them.
 */
final class TrainingWorkload {
  private static final String REPOSITORY = "training/small";
  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private final URI base;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  TrainingWorkload(URI base) {
    this.base = base;
  }

  void run(int rounds) throws IOException {
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(UTF_8);
    byte[] layer = new byte[16 * 1024];
    for (int i = 0; i < layer.length; i++) {
      layer[i] = (byte) (i * 31 + 7);
    }
    String configDigest = sha256(config);
    String layerDigest = sha256(layer);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
        + "\",\"size\":" + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest
        + "\",\"size\":" + layer.length + "}]}").getBytes(UTF_8);
    String manifestDigest = sha256(manifest);

    expect(200, "GET", "/v2/", null, Map.of());
    expect(404, "HEAD", blob(configDigest), null, Map.of());
    expect(201, "POST", "/v2/" + REPOSITORY + "/blobs/uploads/?digest=" + configDigest, config,
        Map.of("Content-Type", "application/octet-stream"));
    String location = location(send(202, "POST", "/v2/" + REPOSITORY + "/blobs/uploads/", null, Map.of()));
    int half = layer.length / 2;
    location = location(send(202, "PATCH", location, Arrays.copyOfRange(layer, 0, half),
        Map.of("Content-Type", "application/octet-stream", "Content-Range", "0-" + (half - 1))));
    expect(201, "PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + layerDigest,
        Arrays.copyOfRange(layer, half, layer.length), Map.of("Content-Type", "application/octet-stream"));
    expect(201, "PUT", "/v2/" + REPOSITORY + "/manifests/latest", manifest, Map.of("Content-Type", MANIFEST_TYPE));
    expect(201, "PUT", "/v2/" + REPOSITORY + "/manifests/previous", manifest, Map.of("Content-Type", MANIFEST_TYPE));

    Map<String, String> accept = Map.of("Accept", MANIFEST_TYPE);
    for (int i = 0; i < rounds; i++) {
      expect(200, "GET", "/v2/", null, Map.of());
      expect(200, "HEAD", "/v2/" + REPOSITORY + "/manifests/latest", null, accept);
      expect(200, "GET", "/v2/" + REPOSITORY + "/manifests/latest", null, accept);
      expect(200, "GET", "/v2/" + REPOSITORY + "/manifests/" + manifestDigest, null, accept);
      expect(200, "HEAD", blob(layerDigest), null, Map.of());
      expect(200, "GET", blob(configDigest), null, Map.of());
      expect(200, "GET", blob(layerDigest), null, Map.of());
      expect(404, "GET", "/v2/" + REPOSITORY + "/manifests/missing", null, accept);
      expect(200, "GET", "/v2/" + REPOSITORY + "/tags/list", null, Map.of());
    }
    expect(200, "GET", "/v2/_catalog", null, Map.of());
    expect(202, "DELETE", "/v2/" + REPOSITORY + "/manifests/previous", null, Map.of());
  }

  private static String location(HttpResponse<?> response) throws IOException {
    return response.headers().firstValue("Location")
        .orElseThrow(() -> new IOException(response.request().method() + " " + response.uri() + ": no Location"));
  }

  private static String blob(String digest) {
    return "/v2/" + REPOSITORY + "/blobs/" + digest;
  }

  private void expect(int status, String method, String path, byte[] body, Map<String, String> headers)
      throws IOException {
    send(status, method, path, body, headers);
  }

  /** The answer to one request, which must have the expected status. */
  private HttpResponse<byte[]> send(int expected, String method, String path, byte[] body,
      Map<String, String> headers) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() != expected) {
      throw new IOException(method + " " + path + ": expected " + expected + ", got " + response.statusCode());
    }
    return response;
  }

  private static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
