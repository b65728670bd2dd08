package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);
  private static final String D3 = "sha256:" + "3".repeat(64);

  private static Manifest parse(String json, MediaType contentType) {
    return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), Optional.ofNullable(contentType));
  }

  private static String image(String mediaTypeField) {
    return "{\"schemaVersion\":2," + mediaTypeField
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1 + "\",\"size\":10},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2 + "\",\"size\":20}]}";
  }

  @Test
  void parsesAnOciImageManifest() {
    Manifest m = parse(image("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","), MediaType.OCI_MANIFEST);
    assertThat(m.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(m.referencedBlobs()).extracting(d -> d.digest().toString()).containsExactly(D1, D2);
    assertThat(m.effectiveArtifactType()).contains("application/vnd.oci.image.config.v1+json");
  }

  @Test
  void withoutMediaTypeTheContentTypeOrShapeDecides() {
    assertThat(parse(image(""), MediaType.DOCKER_MANIFEST).mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
    assertThat(parse(image(""), null).mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
  }

  @Test
  void parsesAnIndexWithSubjectAndArtifactType() {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        + "\"artifactType\":\"application/x.example\","
        + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D1 + "\",\"size\":5}],"
        + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D3 + "\",\"size\":7},"
        + "\"annotations\":{\"k\":\"v\"}}";
    Manifest m = parse(json, MediaType.OCI_INDEX);
    assertThat(m.isIndex()).isTrue();
    assertThat(m.manifests()).extracting(d -> d.digest().toString()).containsExactly(D1);
    assertThat(m.subject()).map(d -> d.digest().toString()).contains(D3);
    assertThat(m.effectiveArtifactType()).contains("application/x.example");
    assertThat(m.annotations()).containsEntry("k", "v");
    assertThat(m.referencedBlobs()).isEmpty();
  }

  @Test
  void foreignLayersAreNotRequiredBlobs() {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + D1 + "\",\"size\":1},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\"" + D2
        + "\",\"size\":1,\"urls\":[\"https://example.com/layer\"]}]}";
    assertThat(parse(json, MediaType.DOCKER_MANIFEST).referencedBlobs()).extracting(d -> d.digest().toString())
        .containsExactly(D1);
  }

  @Test
  void rejectsInvalidManifests() {
    assertInvalid("not json", null);
    assertInvalid("[]", null);
    assertInvalid("{\"schemaVersion\":1}", null);
    assertInvalid("{\"schemaVersion\":2}", null);
    assertInvalid(image("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","), MediaType.DOCKER_MANIFEST);
    assertInvalid(image("\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws\","), null);
    assertInvalid(image("").replace(D2, "sha256:bad"), null);
    assertInvalid(image("").replace("\"size\":20", "\"size\":-1"), null);
    assertInvalid(image("").replace("\"size\":20", "\"size\":\"20\""), null);
    assertInvalid("{\"schemaVersion\":2,\"schemaVersion\":2,\"config\":{}}", null);
    assertInvalid("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}", null);
    assertInvalid(image("") + "{}", null);
  }

  private static void assertInvalid(String json, MediaType contentType) {
    assertThatThrownBy(() -> parse(json, contentType)).as(json).isInstanceOf(InvalidManifestException.class);
  }
}
