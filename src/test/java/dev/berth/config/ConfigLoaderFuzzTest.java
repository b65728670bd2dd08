package dev.berth.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration file and {@code REGISTRY_*} environment values: the loader either returns
 * settings within their documented bounds or refuses with {@link ConfigException} (which
 * {@code berth} reports with exit status 78); no YAML or Jackson exception, no
 * NullPointerException, no other exception escapes.
 *
 * <p>Input: the YAML text, then optionally a line {@code # environment} followed by
 * {@code NAME=value} lines. Plain {@code bin/test} runs this over the seeds in
 * {@code src/test/resources/dev/berth/config/ConfigLoaderFuzzTestInputs/load/}. To fuzz for real
 * (docs/testing.md):
 *
 * <pre>
 * nice -n 10 bin/fuzz ConfigLoaderFuzzTest 5m
 * </pre>
 */
class ConfigLoaderFuzzTest {
  private static final String ENVIRONMENT_MARKER = "\n# environment\n";

  @TempDir
  Path dir;

  @FuzzTest
  void load(byte[] data) throws IOException {
    // The leading newline lets the marker open the input too: environment values and no file.
    String text = "\n" + new String(data, StandardCharsets.UTF_8);
    int marker = text.indexOf(ENVIRONMENT_MARKER);
    String yaml = marker < 0 ? text : text.substring(0, marker);
    Map<String, String> environment = marker < 0 ? Map.of()
        : environment(text.substring(marker + ENVIRONMENT_MARKER.length()));
    Path file = dir.resolve("config.yml");
    Files.writeString(file, yaml);
    Settings settings;
    try {
      settings = new ConfigLoader().load(Optional.of(file), environment);
    } catch (ConfigException refused) {
      return;
    }
    assertThat(settings.port()).isBetween(0, 65535);
    assertThat(settings.maxManifestBytes()).isGreaterThanOrEqualTo(1024);
    assertThat(settings.drainTimeout().isNegative()).isFalse();
    assertThat(settings.gc().grace().isNegative()).isFalse();
    assertThat(settings.gc().uploadMaxAge().isNegative()).isFalse();
    settings.auth().ifPresent(auth -> assertThat(auth.tokenLifetime()).isPositive()
        .isLessThanOrEqualTo(Duration.ofHours(24)));
  }

  private static Map<String, String> environment(String lines) {
    Map<String, String> environment = new LinkedHashMap<>();
    for (String line : lines.split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        environment.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    return environment;
  }
}
