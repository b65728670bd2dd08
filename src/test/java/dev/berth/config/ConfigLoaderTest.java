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
    assertThatThrownBy(() -> load("gc:\n  grace: a while\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'gc.grace'");
    assertThatThrownBy(() -> load("version: 0.2\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'version'");
    assertThatThrownBy(() -> load("", Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "perhaps")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'storage.delete.enabled'");
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
}
