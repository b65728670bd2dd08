package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.TestCertificates;
import dev.berth.testing.Tool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth serving HTTPS itself ({@code http.tls}) with a certificate from a throwaway CA: skopeo and
 * podman verify it through their cert dirs, curl sees HTTP/2 and TLS 1.2 or newer only, and the
 * TLS port never answers in clear text.
 */
class TlsIT {
  @TempDir
  static Path work;

  static TestCertificates certificates;
  static RunningRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    Tool.require("skopeo");
    Tool.require("curl");
    certificates = TestCertificates.create(work.resolve("certs"));
    registry = RunningRegistry.with(work.resolve("registry")).tls(certificates.chain(), certificates.key()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static List<String> skopeo(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("skopeo"), "--insecure-policy"));
    command.addAll(List.of(args));
    return command;
  }

  private static List<String> curl(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("curl"), "-sS", "--max-time", "30"));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void skopeoCopiesInAndOutVerifyingTheCertificate() throws Exception {
    OciLayout source = OciLayout.create(work.resolve("skopeo-src"));
    source.tag(source.image("amd64", 21, 300_000, 1_500_000), "v1");
    String remote = "docker://" + registry.hostPort() + "/tls/skopeo:v1";

    Tool.ok(work, skopeo("copy", "--dest-cert-dir", certificates.trust().toString(), "--preserve-digests",
        "oci:" + source.dir() + ":v1", remote));
    Path back = work.resolve("skopeo-back");
    Tool.ok(work, skopeo("copy", "--src-cert-dir", certificates.trust().toString(), "--preserve-digests",
        remote, "oci:" + back + ":v1"));
    OciLayout.assertSameBlobs(source.dir(), back);

    // Without the CA the certificate is not trusted: verification is really on.
    Tool.Result untrusted = Tool.run(work, skopeo("inspect", remote), 60);
    assertThat(untrusted.exitCode()).isNotZero();
    assertThat(untrusted.output()).containsIgnoringCase("certificate");
  }

  @Test
  void podmanPushesAndPullsVerifyingTheCertificate() throws Exception {
    List<String> podman = List.of(Tool.require("podman"), "--storage-driver", "vfs",
        "--root", work.resolve("podman-root").toString(), "--runroot", work.resolve("podman-run").toString(),
        "--cgroup-manager", "cgroupfs", "--events-backend", "file");
    OciLayout layout = OciLayout.create(work.resolve("podman-layout"));
    layout.tag(layout.image("amd64", 22, 400_000, 30_000), "v1");
    Path archive = work.resolve("podman.tar");
    Tool.ok(work, skopeo("copy", "oci:" + layout.dir() + ":v1", "docker-archive:" + archive + ":local/tls:v1"));
    String target = registry.hostPort() + "/tls/podman:v1";
    String certDir = certificates.trust().toString();

    Tool.ok(work, with(podman, "load", "-i", archive.toString()));
    Tool.ok(work, with(podman, "tag", "local/tls:v1", target));
    Tool.ok(work, with(podman, "push", "--cert-dir", certDir, target));
    String imageId = Tool.ok(work, with(podman, "images", "-q", "--no-trunc", target)).trim();
    Tool.ok(work, with(podman, "rmi", "-a", "-f"));
    Tool.ok(work, with(podman, "pull", "--cert-dir", certDir, target));

    assertThat(Tool.ok(work, with(podman, "images", "-q", "--no-trunc", target)).trim()).isEqualTo(imageId);
  }

  @Test
  void http2IsNegotiatedAndHttp11StillOffered() throws Exception {
    String url = "https://" + registry.hostPort() + "/v2/";
    String cacert = certificates.caCertificate().toString();
    assertThat(Tool.ok(work, curl("--http2", "--cacert", cacert, "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
        url))).isEqualTo("2 200");
    assertThat(Tool.ok(work, curl("--http1.1", "--cacert", cacert, "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
        url))).isEqualTo("1.1 200");
    assertThat(Tool.ok(work, curl("--tlsv1.2", "--tls-max", "1.2", "--cacert", cacert, "-o", "/dev/null",
        "-w", "%{http_code}", url))).isEqualTo("200");
  }

  @Test
  void tls11IsRefusedByTheServer() throws Exception {
    // SECLEVEL=0 lets this curl (OpenSSL 3) offer TLS 1.1 at all; the alert then comes from Berth.
    Tool.Result old = Tool.run(work, curl("--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0",
        "--cacert", certificates.caCertificate().toString(), "https://" + registry.hostPort() + "/v2/"), 60);
    assertThat(old.exitCode()).as(old.output()).isNotZero();
    assertThat(old.output()).contains("alert protocol version");
  }

  /**
   * The handshake fails on the request's first bytes and Berth closes the connection after a TLS
   * alert, which curl 7.88 reports as "Received HTTP/0.9 when not allowed": no status, no headers.
   */
  @Test
  void plainHttpToTheTlsPortGetsNoRegistryAnswer() throws Exception {
    Tool.Result plain = Tool.run(work, curl("-i", "http://" + registry.hostPort() + "/v2/"), 60);
    assertThat(plain.output()).as("exit %d", plain.exitCode())
        .doesNotContain("Docker-Distribution-API-Version").doesNotContain("200");
    assertThat(plain.exitCode()).as(plain.output()).isNotZero();
  }

  private static List<String> with(List<String> base, String... args) {
    List<String> command = new ArrayList<>(base);
    command.addAll(List.of(args));
    return command;
  }
}
