package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.Nginx;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.TestCertificates;
import dev.berth.testing.Tool;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx terminating TLS in front of a plain-HTTP Berth with access control on, configured as the
 * README shows: the URLs Berth hands out (upload {@code Location}s, the token realm) name nginx's
 * https address, so skopeo logs in, pushes and pulls through it.
 */
class ReverseProxyIT {
  private static final String PASSWORD = "developer-pass-1";

  @TempDir
  static Path work;

  static TestCertificates certificates;
  static RunningRegistry registry;
  static Nginx nginx;

  @BeforeAll
  static void start() throws Exception {
    Tool.require("skopeo");
    Tool.require("curl");
    certificates = TestCertificates.create(work.resolve("certs"));
    registry = RunningRegistry.with(work.resolve("registry")).auth("admin-password-1").start();
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(registry.root().resolve("berth/metadata.db"))) {
      new Users(store.access(), Clock.systemUTC()).add("dev", PASSWORD, false);
      store.access().setRole("proxied", "dev", "developer");
    }
    nginx = Nginx.start(work.resolve("nginx"), """
          server {
            listen 127.0.0.1:%%PORT%% ssl;
            ssl_certificate %s;
            ssl_certificate_key %s;
            client_max_body_size 0;
            location / {
              proxy_pass http://%s;
              proxy_http_version 1.1;
              proxy_request_buffering off;
              proxy_buffering off;
              proxy_read_timeout 900s;
              proxy_set_header Host $http_host;
              proxy_set_header X-Forwarded-Proto $scheme;
              proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            }
          }
        """.formatted(certificates.chain(), certificates.key(), registry.hostPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
    registry.close();
  }

  private static List<String> curl(String... args) {
    List<String> command = new ArrayList<>(List.of(Tool.require("curl"), "-sS", "--max-time", "30",
        "--cacert", certificates.caCertificate().toString(), "-o", "/dev/null", "-D", "-"));
    command.addAll(List.of(args));
    return command;
  }

  /** The value of one header in curl's {@code -D -} output. */
  private static Optional<String> header(String headers, String name) {
    return headers.lines()
        .filter(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1))
        .map(line -> line.substring(name.length() + 1).strip())
        .findFirst();
  }

  @Test
  void theChallengeAndUploadLocationsNameTheProxysHttpsAddress() throws Exception {
    String base = "https://" + nginx.hostPort();

    String challenge = Tool.ok(work, curl(base + "/v2/"));
    assertThat(challenge).startsWith("HTTP/1.1 401");
    assertThat(header(challenge, "WWW-Authenticate")).hasValueSatisfying(value ->
        assertThat(value).startsWith("Bearer realm=\"" + base + "/token\""));

    String started = Tool.ok(work, curl("-u", "dev:" + PASSWORD, "-X", "POST", base + "/v2/proxied/raw/blobs/uploads/"));
    assertThat(started).startsWith("HTTP/1.1 202");
    String location = header(started, "Location").orElseThrow();
    assertThat(location).startsWith(base + "/v2/proxied/raw/blobs/uploads/");

    String finished = Tool.ok(work, curl("-u", "dev:" + PASSWORD, "-X", "PUT", "-H", "Content-Type: application/octet-stream",
        "--data-binary", "proxied bytes",
        location + "?digest=sha256:" + OciLayout.sha256("proxied bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    assertThat(finished).startsWith("HTTP/1.1 201");
    assertThat(header(finished, "Location")).hasValueSatisfying(value ->
        assertThat(value).startsWith(base + "/v2/proxied/raw/blobs/sha256:"));
  }

  @Test
  void skopeoPushesAndPullsThroughTheProxyWithCredentials() throws Exception {
    String skopeo = Tool.require("skopeo");
    OciLayout source = OciLayout.create(work.resolve("source"));
    source.tag(source.image("amd64", 31, 300_000, 2_000_000), "v1");
    String remote = "docker://" + nginx.hostPort() + "/proxied/app:v1";
    String certDir = certificates.trust().toString();

    Tool.ok(work, List.of(skopeo, "--insecure-policy", "copy", "--dest-cert-dir", certDir,
        "--dest-creds", "dev:" + PASSWORD, "--preserve-digests", "oci:" + source.dir() + ":v1", remote));
    Path back = work.resolve("back");
    Tool.ok(work, List.of(skopeo, "--insecure-policy", "copy", "--src-cert-dir", certDir,
        "--src-creds", "dev:" + PASSWORD, "--preserve-digests", remote, "oci:" + back + ":v1"));

    OciLayout.assertSameBlobs(source.dir(), back);
  }
}
