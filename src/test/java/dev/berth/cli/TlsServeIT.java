package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code berth serve} with {@code http.tls}: refusals of unusable files, and {@code berth gc} beside it. */
class TlsServeIT {
  @TempDir
  Path dir;

  private BerthProcess.Result serve(String http) throws Exception {
    Path config = dir.resolve("tls.yml");
    Files.writeString(config, "http:\n  addr: 127.0.0.1:0\n" + http
        + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n");
    return BerthProcess.run(dir, "serve", "--config", config.toString());
  }

  @Test
  void unusableTlsFilesStopTheStartWithOneLineNamingKeyAndFile() throws Exception {
    TestCertificates certificates = TestCertificates.create(dir.resolve("certs"));
    Path missing = dir.resolve("missing.pem");

    BerthProcess.Result noFile = serve("  tls:\n    certificate: " + missing + "\n    key: " + certificates.key() + "\n");
    assertThat(noFile.exitCode()).as(noFile.output()).isEqualTo(78);
    assertThat(noFile.output().strip())
        .isEqualTo("berth serve: configuration error: 'http.tls.certificate' file " + missing + " does not exist");

    Path garbage = Files.writeString(dir.resolve("garbage.key"), "-----BEGIN PRIVATE KEY-----\n@@@\n-----END PRIVATE KEY-----\n");
    BerthProcess.Result badPem = serve("  tls:\n    certificate: " + certificates.chain() + "\n    key: " + garbage + "\n");
    assertThat(badPem.exitCode()).as(badPem.output()).isEqualTo(78);
    assertThat(badPem.output().strip()).startsWith("berth serve: configuration error: 'http.tls.key' file " + garbage)
        .doesNotContain("\n").doesNotContain("Exception");

    BerthProcess.Result keyOnly = serve("  tls:\n    key: " + certificates.key() + "\n");
    assertThat(keyOnly.exitCode()).as(keyOnly.output()).isEqualTo(78);
    assertThat(keyOnly.output().strip())
        .isEqualTo("berth serve: configuration error: 'http.tls.certificate' is required with 'http.tls.key'");
  }

  /**
   * The command does not know the CA that signed the server's certificate: it trusts the certificate
   * the server published beside its admin token, and that one only.
   */
  @Test
  void gcBesideAnHttpsServerHandsItsRunOverToIt() throws Exception {
    TestCertificates certificates = TestCertificates.create(dir.resolve("certs"));
    Path data = dir.resolve("data");
    try (BerthProcess berth = BerthProcess.serveTls(dir, certificates,
        "storage:\n  filesystem:\n    rootdirectory: " + data + "\n")) {
      assertThat(Files.readString(data.resolve("berth/server.json")))
          .contains("\"url\":\"https://127.0.0.1:" + berth.port + "\"").contains("\"certificateSha256\":\"");

      BerthProcess.Result gc = BerthProcess.run(dir, "gc", "--dry-run", "--grace", "0s",
          "--config", dir.resolve("config.yml").toString());

      assertThat(gc.exitCode()).as(gc.output()).isZero();
      assertThat(gc.output()).contains("a server runs on this data directory (https://127.0.0.1:" + berth.port
          + "); handing the run to it").contains("dry run:");
    }
  }
}
