package dev.berth.bench;

import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** ManifestParser on a realistic OCI image manifest (config + 6 layers) and a 4-platform OCI index. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ManifestParseBench {

  private byte[] manifest;
  private byte[] index;

  static String hex(int seed) {
    StringBuilder b = new StringBuilder(64);
    long x = 0x9E3779B97F4A7C15L * (seed + 1);
    while (b.length() < 64) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      b.append(String.format("%016x", x));
    }
    return b.substring(0, 64);
  }

  static String descriptor(String mediaType, int seed, long size) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"sha256:" + hex(seed) + "\",\"size\":" + size + "}";
  }

  @Setup
  public void setUp() {
    StringBuilder layers = new StringBuilder();
    long[] sizes = {29_126_484, 1_842_113, 45_211_902, 3_411, 98_022, 12_540_337};
    for (int i = 0; i < sizes.length; i++) {
      layers.append(i == 0 ? "" : ",").append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", 10 + i, sizes[i]));
    }
    manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", 1, 7_023) + ","
        + "\"layers\":[" + layers + "],"
        + "\"annotations\":{\"org.opencontainers.image.created\":\"2026-11-27T21:54:00Z\","
        + "\"org.opencontainers.image.source\":\"https://git.example.com/team/api-server\","
        + "\"org.opencontainers.image.revision\":\"" + hex(99).substring(0, 40) + "\","
        + "\"org.opencontainers.image.version\":\"1.24.3\"}}").getBytes(StandardCharsets.UTF_8);
    StringBuilder entries = new StringBuilder();
    String[][] platforms = {{"amd64", ""}, {"arm64", "v8"}, {"arm", "v7"}, {"ppc64le", ""}};
    for (int i = 0; i < platforms.length; i++) {
      String d = descriptor("application/vnd.oci.image.manifest.v1+json", 50 + i, 1_611 + i);
      entries.append(i == 0 ? "" : ",").append(d, 0, d.length() - 1)
          .append(",\"platform\":{\"architecture\":\"").append(platforms[i][0]).append("\",\"os\":\"linux\"")
          .append(platforms[i][1].isEmpty() ? "" : ",\"variant\":\"" + platforms[i][1] + "\"").append("}}");
    }
    index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + entries + "],\"annotations\":{\"org.opencontainers.image.created\":\"2026-11-27T21:54:00Z\"}}")
        .getBytes(StandardCharsets.UTF_8);
    // fail at set-up, not in the measurement, if the fixtures are not what the parser accepts
    parseManifest();
    parseIndex();
  }

  @Benchmark
  public Manifest parseManifest() {
    return ManifestParser.parse(manifest, Optional.of(MediaType.OCI_MANIFEST));
  }

  @Benchmark
  public Manifest parseIndex() {
    return ManifestParser.parse(index, Optional.of(MediaType.OCI_INDEX));
  }
}
