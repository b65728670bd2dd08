package dev.berth.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain OCI distribution client for a registry at a base URL, in process or not: the requests a
 * pusher, a deleter and a puller make, each answered as it came. Transport failures are
 * {@link IOException}s, so a test that kills the server can tell them apart from answers.
 */
final class OciHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MANIFEST_TYPES =
      ManifestBuilder.OCI_MANIFEST + ", " + ManifestBuilder.OCI_INDEX;

  private final URI base;
  private final HttpClient http;

  OciHttp(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** One response: status, body, and the headers tests look at. */
  record Reply(String request, int status, byte[] body, HttpResponse<byte[]> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + this, e);
      }
    }

    /** The spec error codes of an error body, in order; empty for a body that is not one. */
    List<String> errorCodes() {
      List<String> codes = new ArrayList<>();
      try {
        JSON.readTree(body).path("errors").forEach(e -> codes.add(e.path("code").asText()));
      } catch (IOException notJson) {
        // no codes
      }
      return codes;
    }

    @Override
    public String toString() {
      String shown = body.length > 400 ? text().substring(0, 400) + "..." : text();
      return request + " -> " + status + " " + shown;
    }
  }

  Reply send(String method, String path, byte[] body, String... headers) throws IOException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(method + " " + path, response.statusCode(), response.body(), response);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(method + " " + path + " interrupted");
    }
  }

  /** A monolithic upload: one POST carrying the whole blob under its sha256. */
  Reply uploadBlob(String repo, byte[] content) throws IOException {
    String digest = URLEncoder.encode(Digests.sha256(content), StandardCharsets.UTF_8);
    return send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content,
        "Content-Type", "application/octet-stream");
  }

  Reply putManifest(String repo, String reference, String mediaType, byte[] manifest) throws IOException {
    return send("PUT", "/v2/" + repo + "/manifests/" + reference, manifest, "Content-Type", mediaType);
  }

  Reply getManifest(String repo, String reference) throws IOException {
    return send("GET", "/v2/" + repo + "/manifests/" + reference, null, "Accept", MANIFEST_TYPES);
  }

  /** HEAD of the blob with {@code content}'s sha256. */
  Reply headBlob(String repo, byte[] content) throws IOException {
    return send("HEAD", "/v2/" + repo + "/blobs/" + Digests.sha256(content), null);
  }

  Reply getBlob(String repo, String digest) throws IOException {
    return send("GET", "/v2/" + repo + "/blobs/" + digest, null);
  }

  /** By tag: that tag. By digest: the manifest and its tags. */
  Reply deleteManifest(String repo, String reference) throws IOException {
    return send("DELETE", "/v2/" + repo + "/manifests/" + reference, null);
  }

  /** Every tag of the repository, following the {@code Link} pages; empty for an unknown repository. */
  List<String> tags(String repo) throws IOException {
    List<String> tags = new ArrayList<>();
    String next = "/v2/" + repo + "/tags/list?n=100";
    for (int page = 0; next != null; page++) {
      if (page > 10_000) {
        throw new AssertionError("tags/list of " + repo + " never ends");
      }
      Reply reply = send("GET", next, null);
      if (reply.status() == 404 && reply.errorCodes().contains("NAME_UNKNOWN")) {
        return tags;
      }
      if (reply.status() != 200) {
        throw new AssertionError("tags/list failed: " + reply);
      }
      reply.json().path("tags").forEach(t -> tags.add(t.asText()));
      String link = reply.header("Link");
      next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
    }
    return tags;
  }

  @Override
  public void close() {
    http.close();
  }
}
