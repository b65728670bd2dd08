package dev.berth.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds manifests and indexes as JSON bytes. The output is deliberately not canonical: keys in an
 * unusual order, tabs, CRLFs and stray spaces, so that a registry that re-serialises what it was
 * given (instead of storing the exact bytes) is caught by a digest or byte comparison.
 */
public final class ManifestBuilder {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

  /** The OCI empty descriptor's content, {@code {}}, and its well-known digest. */
  public static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);
  public static final String EMPTY_JSON_DIGEST =
      "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A content descriptor; {@code extra} holds optional fields (platform, urls, annotations...). */
  public record Descriptor(String mediaType, String digest, long size, Map<String, Object> extra) {
    public Descriptor {
      extra = Map.copyOf(extra);
    }

    public static Descriptor of(String mediaType, byte[] content) {
      return new Descriptor(mediaType, Digests.sha256(content), content.length, Map.of());
    }

    public static Descriptor of(String mediaType, String digest, long size) {
      return new Descriptor(mediaType, digest, size, Map.of());
    }

    public static Descriptor emptyConfig() {
      return of(OCI_EMPTY, EMPTY_JSON_DIGEST, EMPTY_JSON.length);
    }

    public Descriptor with(String field, Object value) {
      Map<String, Object> more = new LinkedHashMap<>(extra);
      more.put(field, value);
      return new Descriptor(mediaType, digest, size, more);
    }

    public Descriptor platform(String os, String architecture) {
      return with("platform", Map.of("architecture", architecture, "os", os));
    }

    /** Key order digest, size, mediaType, then extras: valid, but not what most tools write. */
    Map<String, Object> asMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("digest", digest);
      map.put("size", size);
      map.putAll(extra);
      map.put("mediaType", mediaType);
      return map;
    }
  }

  private final String mediaType;
  private final boolean index;
  private boolean writeMediaType = true;
  private int schemaVersion = 2;
  private Descriptor config;
  private final List<Descriptor> children = new ArrayList<>();
  private Descriptor subject;
  private String artifactType;
  private final Map<String, String> annotations = new LinkedHashMap<>();

  private ManifestBuilder(String mediaType, boolean index) {
    this.mediaType = mediaType;
    this.index = index;
  }

  /** An image manifest (OCI or Docker schema 2): config and layers. */
  public static ManifestBuilder image(String mediaType) {
    return new ManifestBuilder(mediaType, false);
  }

  /** An index (OCI index or Docker manifest list): manifests. */
  public static ManifestBuilder index(String mediaType) {
    return new ManifestBuilder(mediaType, true);
  }

  public ManifestBuilder config(Descriptor descriptor) {
    this.config = descriptor;
    return this;
  }

  public ManifestBuilder layers(Descriptor... layers) {
    children.addAll(Arrays.asList(layers));
    return this;
  }

  public ManifestBuilder manifests(Descriptor... manifests) {
    children.addAll(Arrays.asList(manifests));
    return this;
  }

  public ManifestBuilder subject(Descriptor descriptor) {
    this.subject = descriptor;
    return this;
  }

  public ManifestBuilder artifactType(String type) {
    this.artifactType = type;
    return this;
  }

  public ManifestBuilder annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  public ManifestBuilder withoutMediaType() {
    this.writeMediaType = false;
    return this;
  }

  public ManifestBuilder schemaVersion(int version) {
    this.schemaVersion = version;
    return this;
  }

  public byte[] build() {
    StringBuilder json = new StringBuilder("{\n\t");
    json.append(index ? "\"manifests\"" : "\"layers\"").append(" :[ ");
    for (int i = 0; i < children.size(); i++) {
      json.append(i == 0 ? "" : " ,\r\n    ").append(compact(children.get(i).asMap()));
    }
    json.append("],  \"schemaVersion\" : ").append(schemaVersion);
    if (config != null) {
      json.append(",\n\"config\":").append(compact(config.asMap()));
    }
    if (subject != null) {
      json.append(" ,\t\"subject\" :  ").append(compact(subject.asMap()));
    }
    if (artifactType != null) {
      json.append(",\r\n  \"artifactType\":").append(compact(artifactType));
    }
    if (!annotations.isEmpty()) {
      json.append(",\n  \"annotations\" : ").append(compact(annotations));
    }
    if (writeMediaType) {
      json.append(",   \"mediaType\":").append(compact(mediaType));
    }
    return json.append("  \n}\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  public String mediaType() {
    return mediaType;
  }

  /** For an image manifest, its config and layers: the blobs a registry must hold for it. */
  public List<Descriptor> blobs() {
    if (index) {
      return List.of();
    }
    List<Descriptor> blobs = new ArrayList<>();
    if (config != null) {
      blobs.add(config);
    }
    blobs.addAll(children);
    return blobs;
  }

  private static String compact(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
