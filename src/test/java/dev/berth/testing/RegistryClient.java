package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.ManifestBuilder.Descriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OCI distribution client over {@link HttpClient} (HTTP/1.1, redirects never followed),
 * bound to one {@link RunningRegistry} it starts and stops. Low-level calls return every response
 * as it came; the {@code push...} helpers assert success, for tests whose subject is elsewhere.
 */
public final class RegistryClient implements AutoCloseable {
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final RunningRegistry registry;
  private final HttpClient http;

  private RegistryClient(RunningRegistry registry) {
    this.registry = registry;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** Starts a registry with its data under {@code root}. */
  public static RegistryClient start(Path root, boolean deleteEnabled) throws Exception {
    return start(root, deleteEnabled, BlobBackend.FILESYSTEM);
  }

  /** Starts a registry with its data under {@code root} and its blobs on {@code backend}. */
  public static RegistryClient start(Path root, boolean deleteEnabled, BlobBackend backend) throws Exception {
    return new RegistryClient(RunningRegistry.start(root, deleteEnabled, backend));
  }

  /** A client of a registry the test started itself; closing the client stops it. */
  public static RegistryClient of(RunningRegistry registry) {
    return new RegistryClient(registry);
  }

  public RunningRegistry registry() {
    return registry;
  }

  public int port() {
    return registry.port();
  }

  /** The absolute URL of a path, as the registry writes it into {@code Location} headers. */
  public String url(String path) {
    return registry.uri(path).toString();
  }

  @Override
  public void close() throws Exception {
    http.close();
    registry.close();
  }

  // ---- test data

  /** A repository name no other test uses: {@code <prefix>/r<n>}. */
  public static String uniqueRepo(String prefix) {
    return prefix + "/r" + NAMES.incrementAndGet();
  }

  public static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  /** Appends a query parameter, URL-encoded, to a path that may already have a query. */
  public static String withQuery(String path, String name, String value) {
    return path + (path.contains("?") ? "&" : "?") + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  // ---- raw requests

  public Call call(String method, String pathAndQuery) {
    return new Call(method, pathAndQuery);
  }

  public RegistryResponse get(String path) {
    return call("GET", path).send();
  }

  public RegistryResponse head(String path) {
    return call("HEAD", path).send();
  }

  public RegistryResponse delete(String path) {
    return call("DELETE", path).send();
  }

  /** One request being put together. */
  public final class Call {
    private final String method;
    private final String path;
    private final HttpRequest.Builder builder;
    private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

    private Call(String method, String path) {
      this.method = method;
      this.path = path;
      this.builder = HttpRequest.newBuilder(registry.uri(path)).timeout(Duration.ofSeconds(30));
    }

    public Call header(String name, String value) {
      builder.header(name, value);
      return this;
    }

    /** A body with a Content-Length. */
    public Call body(byte[] bytes) {
      body = HttpRequest.BodyPublishers.ofByteArray(bytes);
      return this;
    }

    /** A body of unknown length, sent with chunked transfer encoding and no Content-Length. */
    public Call streamedBody(byte[] bytes) {
      body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
      return this;
    }

    public RegistryResponse send() {
      HttpRequest request = builder.method(method, body).build();
      try {
        return new RegistryResponse(method, http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
      } catch (IOException e) {
        throw new UncheckedIOException(method + " " + path + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  // ---- blobs

  /** Single-POST monolithic upload under {@code digest}; asserts 201. */
  public String pushBlob(String repo, byte[] content, String digest) {
    RegistryResponse r = call("POST", withQuery("/v2/" + repo + "/blobs/uploads/", "digest", digest))
        .header("Content-Type", "application/octet-stream")
        .body(content)
        .send();
    assertThat(r.status()).as("monolithic push: %s", r).isEqualTo(201);
    return digest;
  }

  /** Single-POST monolithic upload under the content's sha256; asserts 201. */
  public String pushBlob(String repo, byte[] content) {
    return pushBlob(repo, content, Digests.sha256(content));
  }

  /** POST, then one PATCH per chunk with Content-Range, then an empty PUT; asserts every step. */
  public String pushBlobChunked(String repo, byte[] content, int chunkSize, String digest) {
    String location = startUpload(repo);
    for (int start = 0; start < content.length; start += chunkSize) {
      int end = Math.min(content.length, start + chunkSize);
      RegistryResponse r = patchChunk(location, Arrays.copyOfRange(content, start, end), start);
      assertThat(r.status()).as("chunk %d-%d: %s", start, end - 1, r).isEqualTo(202);
      location = r.header("Location");
    }
    RegistryResponse done = call("PUT", withQuery(location, "digest", digest)).send();
    assertThat(done.status()).as("closing PUT: %s", done).isEqualTo(201);
    return digest;
  }

  public String pushBlobChunked(String repo, byte[] content, int chunkSize) {
    return pushBlobChunked(repo, content, chunkSize, Digests.sha256(content));
  }

  /** {@code POST /v2/<to>/blobs/uploads/?mount=<digest>&from=<from>}. */
  public RegistryResponse mount(String to, String from, String digest) {
    return call("POST", withQuery(withQuery("/v2/" + to + "/blobs/uploads/", "mount", digest), "from", from)).send();
  }

  /** POST to the upload collection; asserts 202 and returns the upload's Location. */
  public String startUpload(String repo) {
    RegistryResponse r = call("POST", "/v2/" + repo + "/blobs/uploads/").send();
    assertThat(r.status()).as("start upload: %s", r).isEqualTo(202);
    assertThat(r.header("Location")).as("Location of %s", r).isNotNull();
    return r.header("Location");
  }

  /** PATCH of one chunk with {@code Content-Range: <start>-<end>}. */
  public RegistryResponse patchChunk(String location, byte[] chunk, long start) {
    return call("PATCH", location)
        .header("Content-Type", "application/octet-stream")
        .header("Content-Range", start + "-" + (start + chunk.length - 1))
        .body(chunk)
        .send();
  }

  // ---- manifests

  /** A manifest as pushed: its media type, exact bytes and digest. */
  public record PushedManifest(String mediaType, byte[] bytes, String digest) {
    public Descriptor descriptor() {
      return Descriptor.of(mediaType, digest, bytes.length);
    }
  }

  public RegistryResponse putManifest(String repo, String reference, String contentType, byte[] body) {
    Call call = call("PUT", "/v2/" + repo + "/manifests/" + reference).body(body);
    if (contentType != null) {
      call.header("Content-Type", contentType);
    }
    return call.send();
  }

  /** PUT of the manifest under {@code reference}; asserts 201. */
  public PushedManifest pushManifest(String repo, String reference, String mediaType, byte[] body) {
    RegistryResponse r = putManifest(repo, reference, mediaType, body);
    assertThat(r.status()).as("manifest push: %s", r).isEqualTo(201);
    return new PushedManifest(mediaType, body, Digests.sha256(body));
  }

  public PushedManifest pushManifest(String repo, String reference, ManifestBuilder manifest) {
    return pushManifest(repo, reference, manifest.mediaType(), manifest.build());
  }

  /** GET of a manifest accepting exactly the given media types. */
  public RegistryResponse getManifest(String repo, String reference, String... accept) {
    Call call = call("GET", "/v2/" + repo + "/manifests/" + reference);
    for (String type : accept) {
      call.header("Accept", type);
    }
    return call.send();
  }

  /**
   * Uploads a fresh config and layer and pushes an image manifest of {@code mediaType} (OCI or
   * Docker schema 2) that names them.
   */
  public PushedManifest pushImage(String repo, String reference, String mediaType) {
    return pushManifest(repo, reference, imageWithFreshBlobs(repo, mediaType));
  }

  public PushedManifest pushImage(String repo, String reference) {
    return pushImage(repo, reference, ManifestBuilder.OCI_MANIFEST);
  }

  /** Uploads a fresh config and layer to {@code repo} and returns a manifest naming them, not yet pushed. */
  public ManifestBuilder imageWithFreshBlobs(String repo, String mediaType) {
    boolean docker = mediaType.equals(ManifestBuilder.DOCKER_MANIFEST);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"nonce\":\""
        + ThreadLocalRandom.current().nextLong() + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = randomBytes(512);
    pushBlob(repo, config);
    pushBlob(repo, layer);
    return ManifestBuilder.image(mediaType)
        .config(Descriptor.of(docker ? ManifestBuilder.DOCKER_CONFIG : ManifestBuilder.OCI_CONFIG, config))
        .layers(Descriptor.of(docker ? ManifestBuilder.DOCKER_LAYER : ManifestBuilder.OCI_LAYER, layer));
  }

  /** Tags of the repository, following every {@code Link: rel="next"} from a first page of {@code n}. */
  public List<String> allTags(String repo, int n) {
    List<String> tags = new ArrayList<>();
    String next = "/v2/" + repo + "/tags/list?n=" + n;
    while (next != null) {
      RegistryResponse page = get(next);
      assertThat(page.status()).as("tags page: %s", page).isEqualTo(200);
      page.json().path("tags").forEach(t -> tags.add(t.asText()));
      next = nextLink(page);
    }
    return tags;
  }

  /** The target of a {@code Link: <...>; rel="next"} header, or null. */
  public static String nextLink(RegistryResponse response) {
    String link = response.header("Link");
    if (link == null) {
      return null;
    }
    assertThat(link).as("Link header").matches("<[^>]+>; *rel=\"next\"");
    return link.substring(link.indexOf('<') + 1, link.indexOf('>'));
  }
}
