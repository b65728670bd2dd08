package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes real OCI image layouts (gzip'd tar layers with matching diff_ids, image configs, manifests,
 * indexes) for driving real clients such as skopeo and podman.
 */
public final class OciLayout {
  public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String INDEX = "application/vnd.oci.image.index.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ArrayNode refs = JSON.createArrayNode();

  private OciLayout(Path dir) {
    this.dir = dir;
  }

  public static OciLayout create(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return new OciLayout(dir);
  }

  public Path dir() {
    return dir;
  }

  /** A descriptor of something written into the layout. */
  public record Written(String mediaType, String digest, long size) {}

  /** An image of {@code layerSizes.length} layers of random bytes for one platform. */
  public Written image(String arch, long seed, int... layerSizes) throws IOException {
    Random random = new Random(seed);
    ArrayNode layers = JSON.createArrayNode();
    ArrayNode diffIds = JSON.createArrayNode();
    for (int i = 0; i < layerSizes.length; i++) {
      byte[] content = new byte[layerSizes[i]];
      random.nextBytes(content);
      byte[] tar = tar("file-" + seed + "-" + i + ".bin", content);
      diffIds.add("sha256:" + sha256(tar));
      Written layer = blob("application/vnd.oci.image.layer.v1.tar+gzip", gzip(tar));
      layers.add(descriptor(layer));
    }
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", arch).put("os", "linux");
    config.putObject("config").putArray("Cmd").add("/file-" + seed + "-0.bin");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.set("diff_ids", diffIds);
    Written configBlob = blob("application/vnd.oci.image.config.v1+json", JSON.writeValueAsBytes(config));
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2).put("mediaType", MANIFEST);
    manifest.set("config", descriptor(configBlob));
    manifest.set("layers", layers);
    return blob(MANIFEST, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
  }

  /** An index over images, each entry given with its platform architecture. */
  public Written index(List<Written> images, List<String> architectures) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2).put("mediaType", INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (int i = 0; i < images.size(); i++) {
      ObjectNode entry = descriptor(images.get(i));
      entry.putObject("platform").put("architecture", architectures.get(i)).put("os", "linux");
      manifests.add(entry);
    }
    return blob(INDEX, JSON.writeValueAsBytes(index));
  }

  /** Names a manifest or index in index.json so {@code oci:DIR:TAG} finds it. */
  public OciLayout tag(Written target, String tag) throws IOException {
    ObjectNode entry = descriptor(target);
    entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
    refs.add(entry);
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.set("manifests", refs);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    return this;
  }

  public byte[] read(String digest) throws IOException {
    return Files.readAllBytes(dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
  }

  private Written blob(String mediaType, byte[] content) throws IOException {
    String hex = sha256(content);
    Files.write(dir.resolve("blobs/sha256").resolve(hex), content);
    return new Written(mediaType, "sha256:" + hex, content.length);
  }

  private static ObjectNode descriptor(Written w) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", w.mediaType()).put("digest", w.digest()).put("size", w.size());
    return node;
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** A one-file ustar archive. */
  static byte[] tar(String name, byte[] content) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", content.length));
    put(header, 136, String.format("%011o", 1_700_000_000L));
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    int padded = (content.length + 511) / 512 * 512;
    byte[] tar = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, tar, 0, 512);
    System.arraycopy(content, 0, tar, 512, content.length);
    return tar;
  }

  private static void put(byte[] target, int offset, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, target, offset, bytes.length);
  }

  /** Both layouts hold the same blob files with the same bytes: a copy out and back lost nothing. */
  public static void assertSameBlobs(Path expected, Path actual) throws IOException {
    List<Path> expectedBlobs = blobs(expected);
    List<Path> actualBlobs = blobs(actual);
    assertThat(actualBlobs.stream().map(p -> p.getFileName().toString()))
        .containsExactlyElementsOf(expectedBlobs.stream().map(p -> p.getFileName().toString()).toList());
    for (int i = 0; i < expectedBlobs.size(); i++) {
      assertThat(Files.mismatch(expectedBlobs.get(i), actualBlobs.get(i)))
          .as("blob %s", expectedBlobs.get(i).getFileName()).isEqualTo(-1L);
    }
  }

  /** Every blob file in the layout, for byte-for-byte comparison of two layouts. */
  public static List<Path> blobs(Path layout) throws IOException {
    List<Path> result = new ArrayList<>();
    try (var stream = Files.list(layout.resolve("blobs/sha256"))) {
      stream.sorted().forEach(result::add);
    }
    return result;
  }
}
