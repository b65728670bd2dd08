package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a Docker Registry 2.x storage root file by file, as Docker Registry lays it out, for tests
 * of adopting one: blobs, and repositories' layer, revision and tag links and uploads.
 */
public final class DockerRegistryRoot {
  private final Path v2;

  public DockerRegistryRoot(Path root) {
    this.v2 = root.resolve("docker/registry/v2");
  }

  /** Stores the bytes as a blob; returns its digest. */
  public String blob(byte[] content) {
    String digest = Digests.sha256(content);
    write(blobData(digest), content);
    return digest;
  }

  public String blob(String content) {
    return blob(content.getBytes(StandardCharsets.UTF_8));
  }

  public Path blobData(String digest) {
    String hex = digest.substring(digest.indexOf(':') + 1);
    return v2.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
  }

  public Path repository(String name) {
    return v2.resolve("repositories").resolve(name);
  }

  /** A layer link, as a blob upload or mount writes it. */
  public Path layerLink(String repository, String digest) {
    return link(repository(repository).resolve("_layers/sha256").resolve(hex(digest)).resolve("link"), digest);
  }

  /** A manifest's revision link, after storing its bytes as a blob; returns its digest. */
  public String manifest(String repository, byte[] manifest) {
    String digest = blob(manifest);
    revisionLink(repository, digest);
    return digest;
  }

  public Path revisionLink(String repository, String digest) {
    return link(repository(repository).resolve("_manifests/revisions/sha256").resolve(hex(digest)).resolve("link"),
        digest);
  }

  /** A tag's current link and its index entry, as a push by tag writes them. */
  public Path tag(String repository, String tag, String digest) {
    Path tagDirectory = repository(repository).resolve("_manifests/tags").resolve(tag);
    link(tagDirectory.resolve("index/sha256").resolve(hex(digest)).resolve("link"), digest);
    return link(tagDirectory.resolve("current/link"), digest);
  }

  /**
   * A Docker image of a config and one layer per text given, its blobs stored and linked into the
   * repository, and its revision; returns its digest. Equal texts make shared layers.
   */
  public String image(String repository, String... layers) {
    byte[] config = ("{\"architecture\":\"amd64\",\"layers\":\"" + String.join(",", layers) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    layerLink(repository, blob(config));
    List<ManifestBuilder.Descriptor> descriptors = new ArrayList<>();
    for (String layer : layers) {
      byte[] bytes = layer.getBytes(StandardCharsets.UTF_8);
      layerLink(repository, blob(bytes));
      descriptors.add(ManifestBuilder.Descriptor.of(ManifestBuilder.DOCKER_LAYER, bytes));
    }
    return manifest(repository, ManifestBuilder.image(ManifestBuilder.DOCKER_MANIFEST)
        .config(ManifestBuilder.Descriptor.of(ManifestBuilder.DOCKER_CONFIG, config))
        .layers(descriptors.toArray(ManifestBuilder.Descriptor[]::new)).build());
  }

  /** An OCI index of manifests stored in the repository; returns its digest. */
  public String index(String repository, String... children) {
    List<ManifestBuilder.Descriptor> descriptors = new ArrayList<>();
    for (String child : children) {
      try {
        descriptors.add(ManifestBuilder.Descriptor.of(ManifestBuilder.DOCKER_MANIFEST, child,
            Files.size(blobData(child))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return manifest(repository, ManifestBuilder.index(ManifestBuilder.OCI_INDEX)
        .manifests(descriptors.toArray(ManifestBuilder.Descriptor[]::new)).build());
  }

  /** An upload started and never finished. */
  public Path upload(String repository, String id, byte[] partial) {
    Path upload = repository(repository).resolve("_uploads").resolve(id);
    write(upload.resolve("data"), partial);
    write(upload.resolve("startedat"), "2026-12-01T00:00:00Z".getBytes(StandardCharsets.UTF_8));
    return upload;
  }

  private static Path link(Path file, String digest) {
    write(file, digest.getBytes(StandardCharsets.US_ASCII));
    return file;
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }

  public static void write(Path file, byte[] content) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
