package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.BerthCluster;
import dev.berth.testing.Credentials;
import dev.berth.testing.Digests;
import dev.berth.testing.OciLayout;
import dev.berth.testing.Tool;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against three replicas behind round-robin nginx (one PostgreSQL, one bucket, one
 * signing key; issue 21): what skopeo and podman push through the proxy, whichever replica took
 * each request and issued each token, every replica serves back byte-identical; an upload's chunks
 * spread over all replicas still make one verified blob; a token of one replica is accepted by the
 * others.
 */
class ClusterClientsIT {
  private static final String PASSWORD = "developer-pass-1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  @TempDir
  static Path work;

  static BerthCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Tool.require("skopeo");
    Tool.require("podman");
    cluster = BerthCluster.start(work.resolve("cluster"), true);
    cluster.addUser("dev", PASSWORD, "ci", "developer");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> skopeo(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("skopeo"), "--insecure-policy"));
    command.addAll(List.of(args));
    return command;
  }

  private static List<String> podman(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("podman"),
        "--storage-driver", "vfs", "--root", work.resolve("podman-root").toString(),
        "--runroot", work.resolve("podman-run").toString(), "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void skopeoPushesThroughTheProxyAndEveryReplicaServesTheSameBytes() throws Exception {
    OciLayout source = OciLayout.create(work.resolve("skopeo-source"));
    source.tag(source.image("amd64", 21, 300_000, 3_000_000, 40_000), "v1");
    int proxiedBefore = cluster.proxied().size();

    Tool.ok(work, skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "dev:" + PASSWORD, "--preserve-digests",
        "oci:" + source.dir() + ":v1", "docker://" + cluster.hostPort() + "/ci/skopeo:v1"));

    assertThat(repliesByReplica(cluster.proxied().subList(proxiedBefore, cluster.proxied().size())))
        .as("the push's requests went to every replica").hasSize(BerthCluster.REPLICAS);
    String pushed = Digests.sha256(Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false",
        "--creds", "dev:" + PASSWORD, "docker://" + cluster.hostPort() + "/ci/skopeo:v1")).getBytes(StandardCharsets.UTF_8));
    for (BerthCluster.Replica replica : cluster.replicas()) {
      String remote = "docker://" + replica.hostPort() + "/ci/skopeo:v1";
      Path back = work.resolve("skopeo-back-" + replica.name());
      Tool.ok(work, skopeo("copy", "--src-tls-verify=false", "--src-creds", "dev:" + PASSWORD, "--preserve-digests",
          remote, "oci:" + back + ":v1"));
      OciLayout.assertSameBlobs(source.dir(), back);
      String raw = Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false", "--creds", "dev:" + PASSWORD, remote));
      assertThat(Digests.sha256(raw.getBytes(StandardCharsets.UTF_8))).as(replica.name()).isEqualTo(pushed);
    }
  }

  @Test
  void podmanPushesThroughTheProxyAndPullsTheSameImageFromEveryReplica() throws Exception {
    OciLayout layout = OciLayout.create(work.resolve("podman-layout"));
    layout.tag(layout.image("amd64", 22, 2_000_000, 30_000), "v1");
    Path archive = work.resolve("podman-image.tar");
    Tool.ok(work, skopeo("copy", "oci:" + layout.dir() + ":v1", "docker-archive:" + archive + ":local/podman:v1"));
    String target = cluster.hostPort() + "/ci/podman:v1";
    Tool.ok(work, podman("load", "-i", archive.toString()));
    Tool.ok(work, podman("tag", "local/podman:v1", target));
    Tool.ok(work, podman("push", "--tls-verify=false", "--creds", "dev:" + PASSWORD, target));
    String imageId = Tool.ok(work, podman("images", "-q", "--no-trunc", target)).trim();
    String manifest = Digests.sha256(Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false",
        "--creds", "dev:" + PASSWORD, "docker://" + target)).getBytes(StandardCharsets.UTF_8));

    for (BerthCluster.Replica replica : cluster.replicas()) {
      String direct = replica.hostPort() + "/ci/podman:v1";
      Tool.ok(work, podman("rmi", "-a", "-f"));
      Tool.ok(work, podman("pull", "--tls-verify=false", "--creds", "dev:" + PASSWORD, direct));
      assertThat(Tool.ok(work, podman("images", "-q", "--no-trunc", direct)).trim()).as(replica.name())
          .isEqualTo(imageId);
      String raw = Tool.ok(work, skopeo("inspect", "--raw", "--tls-verify=false", "--creds", "dev:" + PASSWORD,
          "docker://" + direct));
      assertThat(Digests.sha256(raw.getBytes(StandardCharsets.UTF_8))).as(replica.name()).isEqualTo(manifest);
    }
  }

  /** Round robin puts consecutive chunks on consecutive replicas; the blob comes out whole everywhere. */
  @Test
  void anUploadWhoseChunksLandOnEveryReplicaMakesOneVerifiedBlob() throws Exception {
    String token = token(cluster.uri("/token"), "dev", "repository:ci/chunked:pull,push");
    byte[] blob = new byte[6 * 100_000];
    new Random(23).nextBytes(blob);
    String digest = Digests.sha256(blob);

    HttpResponse<String> started = send(cluster.uri("/v2/ci/chunked/blobs/uploads/"), "POST", token, new byte[0]);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String location = started.headers().firstValue("Location").orElseThrow();
    String uploadPath = URI.create(location).getPath();
    for (int offset = 0; offset < blob.length; offset += 100_000) {
      HttpResponse<String> patched = send(URI.create(location), "PATCH", token,
          Arrays.copyOfRange(blob, offset, offset + 100_000),
          "Content-Range", offset + "-" + (offset + 100_000 - 1));
      assertThat(patched.statusCode()).as("chunk at %d: %s", offset, patched.body()).isEqualTo(202);
      location = patched.headers().firstValue("Location").orElseThrow();
    }
    String separator = location.contains("?") ? "&" : "?";
    HttpResponse<String> put = send(URI.create(location + separator + "digest="
        + URLEncoder.encode(digest, StandardCharsets.UTF_8)), "PUT", token, new byte[0]);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

    List<BerthCluster.Proxied> upload = cluster.proxied().stream()
        .filter(p -> p.path().equals(uploadPath) && !p.method().equals("POST")).toList();
    assertThat(upload).as("the upload's PATCHes and PUT").hasSize(7);
    assertThat(repliesByReplica(upload)).as("replicas that took a PATCH or the PUT of one upload")
        .hasSize(BerthCluster.REPLICAS);
    for (BerthCluster.Replica replica : cluster.replicas()) {
      HttpResponse<byte[]> got = HTTP.send(HttpRequest.newBuilder(replica.uri("/v2/ci/chunked/blobs/" + digest))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(got.statusCode()).as(replica.name()).isEqualTo(200);
      assertThat(Digests.sha256(got.body())).as(replica.name()).isEqualTo(digest);
    }
  }

  @Test
  void aTokenIssuedByOneReplicaIsAcceptedByTheOthers() throws Exception {
    BerthCluster.Replica issuer = cluster.replica(0);
    String token = token(issuer.uri("/token"), "dev", "repository:ci/token:pull,push");
    byte[] blob = "pushed with another replica's token".getBytes(StandardCharsets.UTF_8);
    String digest = Digests.sha256(blob);

    for (BerthCluster.Replica replica : cluster.replicas().subList(1, BerthCluster.REPLICAS)) {
      assertThat(send(replica.uri("/v2/"), "GET", null, null).statusCode()).as("%s without a token", replica.name())
          .isEqualTo(401);
      assertThat(send(replica.uri("/v2/"), "GET", token, null).statusCode()).as(replica.name()).isEqualTo(200);
    }
    HttpResponse<String> pushed = send(cluster.replica(1).uri("/v2/ci/token/blobs/uploads/?digest="
        + URLEncoder.encode(digest, StandardCharsets.UTF_8)), "POST", token, blob);
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    HttpResponse<String> head = send(cluster.replica(2).uri("/v2/ci/token/blobs/" + digest), "HEAD", token, null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(send(cluster.replica(2).uri("/v2/ci/other/blobs/" + digest), "HEAD", token, null).statusCode())
        .as("a repository the token does not name").isIn(401, 403);
  }

  /**
   * The distinct replicas (their addresses) that answered these proxied requests; nginx logs "-"
   * for a request it answered itself (one the client gave up on before it was passed on).
   */
  private static Set<String> repliesByReplica(List<BerthCluster.Proxied> requests) {
    return requests.stream().map(BerthCluster.Proxied::replica).filter(replica -> !replica.equals("-"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String token(URI tokenEndpoint, String user, String scope) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint + "?service=berth&scope="
            + URLEncoder.encode(scope, StandardCharsets.UTF_8)))
        .header("Authorization", Credentials.basic(user, PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("token").asText();
  }

  private static HttpResponse<String> send(URI uri, String method, String token, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      builder.header("Content-Type", "application/octet-stream");
    }
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }
}
