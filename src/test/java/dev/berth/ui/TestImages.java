package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.testing.Credentials;
import dev.berth.testing.RunningRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Pushes small images over the real /v2 API, as an administrator, for the console to show. */
final class TestImages {
  private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String INDEX = "application/vnd.oci.image.index.v1+json";
  private final RunningRegistry registry;
  private final String authorization;
  private final HttpClient http = HttpClient.newHttpClient();

  TestImages(RunningRegistry registry, String user, String password) {
    this.registry = registry;
    this.authorization = Credentials.basic(user, password);
  }

  /**
   * An image with its own config and one layer of {@code layerBytes} bytes, tagged {@code tag} (null:
   * untagged); returns its digest.
   */
  String push(String repository, String tag, int layerBytes, Map<String, String> annotations) throws Exception {
    return push(repository, tag, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\"" + repository + ":" + tag + "\"}",
        layerBytes, annotations);
  }

  /** An image whose config blob is {@code configJson}, as {@link #push(String, String, int, Map)} otherwise. */
  String push(String repository, String tag, String configJson, int layerBytes, Map<String, String> annotations)
      throws Exception {
    byte[] config = configJson.getBytes(StandardCharsets.UTF_8);
    byte[] layer = new byte[layerBytes];
    new java.util.Random((repository + tag).hashCode()).nextBytes(layer);
    for (byte[] blob : List.of(config, layer)) {
      HttpResponse<String> r = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob),
          "application/octet-stream", blob);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    return putManifest(repository, tag, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config)
        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        + "\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]"
        + annotationsJson(annotations) + "}");
  }

  /** Tags an existing manifest with one more tag. */
  void tag(String repository, String digest, String tag) throws Exception {
    HttpResponse<byte[]> manifest = http.send(HttpRequest.newBuilder(registry.uri("/v2/" + repository + "/manifests/" + digest))
        .header("Authorization", authorization)
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(manifest.statusCode()).isEqualTo(200);
    putManifest(repository, tag, new String(manifest.body(), StandardCharsets.UTF_8));
  }

  /** An OCI index listing the manifests, tagged {@code tag}; returns its digest. */
  String index(String repository, String tag, List<String> children) throws Exception {
    List<String> entries = new java.util.ArrayList<>();
    for (String child : children) {
      String descriptor = descriptor(repository, child);
      entries.add(descriptor.substring(0, descriptor.length() - 1)
          + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arch" + entries.size() + "\"}}");
    }
    return putManifest(repository, tag, INDEX, "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":["
        + String.join(",", entries) + "]}");
  }

  /**
   * A referrer of {@code subject} (a signature, say), untagged, with one layer of
   * {@code layerBytes}; returns its digest.
   */
  String referrer(String repository, String subject, String artifactType, int layerBytes) throws Exception {
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = new byte[layerBytes];
    new java.util.Random((repository + subject + artifactType).hashCode()).nextBytes(layer);
    for (byte[] blob : List.of(empty, layer)) {
      HttpResponse<String> r = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob),
          "application/octet-stream", blob);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    return putManifest(repository, null, MANIFEST,
        "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"artifactType\":" + quote(artifactType)
        + ",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + Digest.sha256(empty)
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\""
        + Digest.sha256(layer) + "\",\"size\":" + layerBytes + "}],\"subject\":" + descriptor(repository, subject) + "}");
  }

  /** The descriptor of a stored manifest: its media type, digest and size. */
  private String descriptor(String repository, String digest) throws Exception {
    HttpResponse<byte[]> manifest = http.send(HttpRequest.newBuilder(registry.uri("/v2/" + repository + "/manifests/" + digest))
        .header("Authorization", authorization).header("Accept", MANIFEST + "," + INDEX).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(manifest.statusCode()).isEqualTo(200);
    return "{\"mediaType\":" + quote(manifest.headers().firstValue("Content-Type").orElseThrow()) + ",\"digest\":"
        + quote(digest) + ",\"size\":" + manifest.body().length + "}";
  }

  private String putManifest(String repository, String reference, String manifest) throws Exception {
    return putManifest(repository, reference, MANIFEST, manifest);
  }

  /** {@code reference} null: pushed by its own digest, untagged. */
  private String putManifest(String repository, String reference, String mediaType, String manifest) throws Exception {
    String path = reference != null ? reference : Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8)).toString();
    HttpResponse<String> put = send("PUT", "/v2/" + repository + "/manifests/" + path,
        mediaType, manifest.getBytes(StandardCharsets.UTF_8));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    return put.headers().firstValue("Docker-Content-Digest").orElseThrow();
  }

  private static String annotationsJson(Map<String, String> annotations) {
    if (annotations.isEmpty()) {
      return "";
    }
    return ",\"annotations\":{" + annotations.entrySet().stream()
        .map(e -> quote(e.getKey()) + ":" + quote(e.getValue())).collect(Collectors.joining(",")) + "}";
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private HttpResponse<String> send(String method, String path, String contentType, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(registry.uri(path))
        .header("Authorization", authorization)
        .header("Content-Type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status of GET on a manifest: 200 while it resolves, 404 once deleted. */
  int manifestStatus(String repository, String reference) throws Exception {
    return http.send(HttpRequest.newBuilder(registry.uri("/v2/" + repository + "/manifests/" + reference))
        .header("Authorization", authorization)
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** A GET on the admin JSON API, with the administrator's Basic credentials. */
  HttpResponse<String> admin(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(registry.uri(path)).header("Authorization", authorization).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of a GET without credentials. */
  int anonymousStatus(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(registry.uri(path)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The status of a GET with someone else's Basic credentials. */
  int basicStatus(String path, String user, String password) throws Exception {
    return http.send(HttpRequest.newBuilder(registry.uri(path)).header("Authorization", Credentials.basic(user, password)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
