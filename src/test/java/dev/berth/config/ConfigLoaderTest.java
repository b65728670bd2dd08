package dev.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Settings load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("config.yml");
    Files.writeString(file, yaml);
    return new ConfigLoader().load(Optional.of(file), env);
  }

  @Test
  void defaultsAreTheEmbeddedSetupOnLoopback() throws Exception {
    Settings s = new ConfigLoader().load(Optional.empty(), Map.of());
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isEqualTo(5000);
    assertThat(s.deleteEnabled()).isFalse();
    assertThat(s.database()).isEqualTo(new Settings.Sqlite(Path.of("./data/berth/metadata.db")));
  }

  @Test
  void readsDockerRegistryKeys() throws Exception {
    Settings s = load("""
        version: 0.1
        log:
          level: debug
        http:
          addr: 0.0.0.0:6000
          draintimeout: 90s
        storage:
          filesystem:
            rootdirectory: /var/lib/berth
          delete:
            enabled: true
        """, Map.of());
    assertThat(s.host()).isEqualTo("0.0.0.0");
    assertThat(s.port()).isEqualTo(6000);
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.rootDirectory()).isEqualTo(Path.of("/var/lib/berth"));
    assertThat(s.deleteEnabled()).isTrue();
    assertThat(s.logLevel()).isEqualTo("debug");
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    Settings s = load("http:\n  addr: 127.0.0.1:5000\n", Map.of(
        "REGISTRY_HTTP_ADDR", "127.0.0.1:7000",
        "REGISTRY_STORAGE_DELETE_ENABLED", "true",
        "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/srv/reg",
        "REGISTRY_SOMETHING_ELSE", "ignored with a warning"));
    assertThat(s.port()).isEqualTo(7000);
    assertThat(s.deleteEnabled()).isTrue();
    assertThat(s.rootDirectory()).isEqualTo(Path.of("/srv/reg"));
  }

  private static final String S3 = """
      storage:
        s3:
          region: eu-west-1
          regionendpoint: http://127.0.0.1:9000
          bucket: registry
          rootdirectory: /berth
          accesskey: AKIA
          secretkey: secret
          forcepathstyle: true
          chunksize: 6291456
        redirect:
          disable: true
      datadirectory: /var/lib/berth
      """;

  @Test
  void readsDockerRegistrysS3Keys() throws Exception {
    Settings s = load(S3, Map.of());
    assertThat(s.blobs()).isEqualTo(new Settings.S3Blobs("eu-west-1", Optional.of(java.net.URI.create("http://127.0.0.1:9000")),
        "registry", "/berth", Optional.of("AKIA"), Optional.of("secret"), true, 6L << 20, false));
    assertThat(s.rootDirectory()).isEqualTo(Path.of("/var/lib/berth"));
    assertThat(s.database()).isEqualTo(new Settings.Sqlite(Path.of("/var/lib/berth/berth/metadata.db")));
    assertThat(s.blobs().toString()).doesNotContain("secret");
  }

  @Test
  void s3KeysComeFromTheEnvironmentAloneWithDefaults() throws Exception {
    Settings s = new ConfigLoader().load(Optional.empty(), Map.of(
        "REGISTRY_STORAGE_S3_REGION", "us-east-1",
        "REGISTRY_STORAGE_S3_BUCKET", "images",
        "REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "true",
        "REGISTRY_STORAGE_S3_CHUNKSIZE", "20971520"));
    assertThat(s.blobs()).isEqualTo(new Settings.S3Blobs("us-east-1", Optional.empty(), "images", "",
        Optional.empty(), Optional.empty(), true, 20L << 20, true));
    assertThat(s.rootDirectory()).isEqualTo(Path.of("./data"));
    assertThat(new ConfigLoader().load(Optional.empty(), Map.of()).blobs()).isEqualTo(new Settings.LocalBlobs());
  }

  @Test
  void s3ConfigurationsThatCannotWorkAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> load("storage:\n  filesystem:\n    rootdirectory: /x\n  s3:\n    region: a\n    bucket: b\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.filesystem'").hasMessageContaining("'storage.s3'");
    assertThatThrownBy(() -> load("storage:\n  s3:\n    region: us-east-1\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.s3.bucket'");
    assertThatThrownBy(() -> load("storage:\n  s3:\n    bucket: b\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.s3.region'");
    assertThatThrownBy(() -> load("storage:\n  s3:\n    region: a\n    bucket: b\n    chunksize: 1048576\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.s3.chunksize'");
    assertThatThrownBy(() -> load("storage:\n  s3:\n    region: a\n    bucket: b\n    accesskey: k\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.s3.secretkey'");
    assertThatThrownBy(() -> load("storage:\n  s3:\n    region: a\n    bucket: b\n    regionendpoint: minio:9000\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.s3.regionendpoint'");
    assertThatThrownBy(() -> load("storage:\n  filesystem:\n    rootdirectory: /x\n", Map.of("REGISTRY_STORAGE_S3_BUCKET", "b")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> load("datadirectory: /x\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'datadirectory'");
  }

  @Test
  void readsTheGcSection() throws Exception {
    Settings s = load("gc:\n  schedule: \"0 3 * * *\"\n  deleteuntagged: true\n  grace: 2h\n", Map.of());
    assertThat(s.gc().schedule()).contains("0 3 * * *");
    assertThat(s.gc().deleteUntagged()).isTrue();
    assertThat(s.gc().grace()).isEqualTo(Duration.ofHours(2));
    assertThat(new ConfigLoader().load(Optional.empty(), Map.of()).gc()).isEqualTo(Settings.Gc.defaults());
  }

  @Test
  void unknownKeysAreNamed() {
    assertThatThrownBy(() -> load("http:\n  adr: 127.0.0.1:5000\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.adr'");
    assertThatThrownBy(() -> load("storage:\n  gcs:\n    bucket: x\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.gcs'");
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> load("storage:\n  delete:\n    enabled: maybe\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.delete.enabled'");
    assertThatThrownBy(() -> load("http:\n  addr: nowhere\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.addr'");
    assertThatThrownBy(() -> load("http:\n  addr: 127.0.0.1:99999\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.addr'");
    assertThatThrownBy(() -> load("log:\n  level: loud\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'log.level'");
    assertThatThrownBy(() -> load("http:\n  draintimeout: soon\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.draintimeout'");
    assertThatThrownBy(() -> load("gc:\n  schedule: every night\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'gc.schedule'");
    // cron-utils fails on this one with an ArrayIndexOutOfBoundsException, not a parse error.
    assertThatThrownBy(() -> load("gc:\n  schedule: \"a| |wo\"\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'gc.schedule'");
    assertThatThrownBy(() -> load("gc:\n  grace: a while\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'gc.grace'");
    assertThatThrownBy(() -> load("version: 0.2\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'version'");
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheVariableInWords() {
    assertThatThrownBy(() -> load("", Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid value for REGISTRY_STORAGE_DELETE_ENABLED: \"yes\" is not a boolean (true or false)");
    assertThatThrownBy(() -> load("", Map.of("REGISTRY_STORAGE_MANIFESTS_MAXSIZE", "4MB")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid value for REGISTRY_STORAGE_MANIFESTS_MAXSIZE: \"4MB\" is not a whole number");
    assertThatThrownBy(() -> load("", Map.of("REGISTRY_HTTP_ADDR", "localhost")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid value for REGISTRY_HTTP_ADDR: ");
    assertThatThrownBy(() -> load("", Map.of("REGISTRY_GC_GRACE", "a day")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid value for REGISTRY_GC_GRACE: ");
  }

  @Test
  void valuesFromTheEnvironmentTakeTheModelsTypes() throws Exception {
    Settings s = load("", Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "TRUE", "REGISTRY_STORAGE_MANIFESTS_MAXSIZE", "2048",
        "REGISTRY_GC_DELETEUNTAGGED", "false"));
    assertThat(s.deleteEnabled()).isTrue();
    assertThat(s.maxManifestBytes()).isEqualTo(2048);
    assertThat(s.gc().deleteUntagged()).isFalse();
  }

  @Test
  void everyProblemOfOneFileIsReportedTogether() {
    assertThatThrownBy(() -> load("""
        version: 0.2
        log:
          level: loud
        http:
          addr: nowhere
          adr: typo
        storage:
          delete:
            enabled: maybe
          manifests:
            maxsize: [1, 2]
        gc:
          grace: a while
          schedule: every night
        """, Map.of("REGISTRY_GC_UPLOADMAXAGE", "soon", "REGISTRY_DATABASE_MAXCONNECTIONS", "many")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .hasSize(10)
            .contains("unknown configuration key 'http.adr'",
                "invalid value for 'storage.delete.enabled': \"maybe\" is not a boolean (true or false)",
                "invalid value for 'storage.manifests.maxsize': must be a single value, not a list or a section",
                "invalid value for REGISTRY_DATABASE_MAXCONNECTIONS: \"many\" is not a whole number")
            .anySatisfy(p -> assertThat(p).startsWith("invalid value for 'version'"))
            .anySatisfy(p -> assertThat(p).startsWith("invalid value for 'log.level'"))
            .anySatisfy(p -> assertThat(p).startsWith("invalid value for 'http.addr'"))
            .anySatisfy(p -> assertThat(p).startsWith("invalid value for 'gc.grace'"))
            .anySatisfy(p -> assertThat(p).startsWith("invalid value for 'gc.schedule'"))
            .anySatisfy(p -> assertThat(p).startsWith("invalid value for REGISTRY_GC_UPLOADMAXAGE")));
  }

  @Test
  void tlsAndTheExternalUrlUseDockerRegistryKeysAndTheirEnvironmentNames() throws Exception {
    Settings file = load("""
        http:
          host: https://Registry.example.com:8443/
          tls:
            certificate: /etc/berth/chain.pem
            key: /etc/berth/key.pem
        """, Map.of());
    assertThat(file.externalUrl()).hasValue(java.net.URI.create("https://Registry.example.com:8443"));
    assertThat(file.tls()).hasValue(new Settings.Tls(Path.of("/etc/berth/chain.pem"), Path.of("/etc/berth/key.pem")));

    Settings env = new ConfigLoader().load(Optional.empty(), Map.of(
        "REGISTRY_HTTP_HOST", "http://10.0.0.5",
        "REGISTRY_HTTP_TLS_CERTIFICATE", "/run/cert.pem",
        "REGISTRY_HTTP_TLS_KEY", "/run/key.pem"));
    assertThat(env.externalUrl()).hasValue(java.net.URI.create("http://10.0.0.5"));
    assertThat(env.tls()).hasValue(new Settings.Tls(Path.of("/run/cert.pem"), Path.of("/run/key.pem")));

    Settings none = new ConfigLoader().load(Optional.empty(), Map.of());
    assertThat(none.externalUrl()).isEmpty();
    assertThat(none.tls()).isEmpty();
  }

  @Test
  void oneTlsFileWithoutTheOtherNamesTheMissingKey() {
    assertThatThrownBy(() -> load("http:\n  tls:\n    certificate: /etc/berth/chain.pem\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'http.tls.key' is required with 'http.tls.certificate'");
    assertThatThrownBy(() -> new ConfigLoader().load(Optional.empty(), Map.of("REGISTRY_HTTP_TLS_KEY", "/run/key.pem")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'http.tls.certificate' is required with REGISTRY_HTTP_TLS_KEY");
  }

  @Test
  void theExternalUrlIsASchemeAndAHostOnly() {
    for (String bad : new String[] {"registry.example.com", "ftp://registry.example.com", "https://",
        "https://registry.example.com/v2", "https://user@registry.example.com", "https://registry.example.com?x=1"}) {
      assertThatThrownBy(() -> new ConfigLoader().load(Optional.empty(), Map.of("REGISTRY_HTTP_HOST", bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid value for REGISTRY_HTTP_HOST: ");
    }
  }

  @Test
  void anEmptySectionMeansItsDefaultsAndAnEmptyValueIsABadValue() throws Exception {
    Settings s = load("log:\nhttp:\nauth:\n", Map.of());
    assertThat(s.logLevel()).isEqualTo("info");
    assertThat(s.port()).isEqualTo(5000);
    assertThat(s.auth()).isEmpty();
    assertThatThrownBy(() -> load("log:\n  level: ~\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'log.level'");
    assertThatThrownBy(() -> load("gc:\n  schedule:\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'gc.schedule'");
    assertThatThrownBy(() -> load("auth:\n  token:\n    realm:\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessage("invalid value for 'auth.token.realm': has no value");
    assertThatThrownBy(() -> load("http: 5000\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http': must be a section");
  }

  @Test
  void aPathNoFileSystemCanHoldIsABadValue() {
    assertThatThrownBy(() -> load("storage:\n  filesystem:\n    rootdirectory: \"/srv/\\0berth\"\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.filesystem.rootdirectory'");
    assertThatThrownBy(() -> load("", Map.of("REGISTRY_DATABASE_URL", "metadata\0.db")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("REGISTRY_DATABASE_URL");
    assertThatThrownBy(() -> load("auth:\n  htpasswd:\n    path: \"/etc/\\0htpasswd\"\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'auth.htpasswd.path'");
  }

  @Test
  void aSharedTokenSigningKeyIsAPath() throws Exception {
    assertThat(load("auth:\n  token:\n    signingkey: /etc/berth/signing-key.jwk\n", Map.of()).auth().orElseThrow()
        .signingKey()).contains(Path.of("/etc/berth/signing-key.jwk"));
    assertThat(load("auth:\n  admin:\n    password: x\n", Map.of()).auth().orElseThrow().signingKey()).isEmpty();
  }

  @Test
  void missingFileIsAClearError() {
    assertThatThrownBy(() -> new ConfigLoader().load(Optional.of(dir.resolve("nope.yml")), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not found");
  }

  @Test
  void durationsFollowGoSyntax() {
    assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> Durations.parse("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("h")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durationsBeyondWhatJavaHoldsAreBadValues() {
    assertThatThrownBy(() -> Durations.parse("9999999999999999d"))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
    assertThatThrownBy(() -> Durations.parse("99999999999999999999h"))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
    assertThatThrownBy(() -> load("gc:\n  grace: 9999999999999999d\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'gc.grace'");
  }
}
