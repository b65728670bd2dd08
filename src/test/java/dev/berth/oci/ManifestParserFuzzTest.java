package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.berth.testing.FuzzInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Manifest bytes as a client pushes them, with the Content-Type it declares: whatever the bytes,
 * the parser either returns a manifest of a supported type or refuses with
 * {@link InvalidManifestException} (which the HTTP layer sends as MANIFEST_INVALID); no other
 * exception, no Jackson exception leaking, no stack overflow.
 *
 * <p>Input: the Content-Type header on the first line (empty for none), the manifest after it.
 * Plain {@code bin/test} runs this over the seeds in
 * {@code src/test/resources/dev/berth/oci/ManifestParserFuzzTestInputs/parse/}. To fuzz for real
 * (docs/testing.md):
 *
 * <pre>
 * nice -n 10 bin/fuzz ManifestParserFuzzTest 5m
 * </pre>
 */
class ManifestParserFuzzTest {

  @FuzzTest
  void parse(byte[] data) {
    FuzzInput input = FuzzInput.of(data);
    Optional<MediaType> contentType;
    Manifest manifest;
    try {
      // As ManifestEndpoints reads the header: a generic or absent type leaves the document to decide.
      contentType = Optional.of(input.firstLine()).filter(h -> !h.isEmpty())
          .map(MediaType::parseHeader).filter(MediaType::isManifest);
      manifest = ManifestParser.parse(input.rest(), contentType);
    } catch (InvalidManifestException refused) {
      return;
    }
    assertThat(manifest.mediaType().isManifest()).isTrue();
    contentType.ifPresent(declared -> assertThat(manifest.mediaType()).isEqualTo(declared));
    if (manifest.isIndex()) {
      assertThat(manifest.config()).isEmpty();
      assertThat(manifest.layers()).isEmpty();
    } else {
      assertThat(manifest.config()).isPresent();
      assertThat(manifest.manifests()).isEmpty();
    }
    List<Descriptor> listed = new ArrayList<>(manifest.layers());
    manifest.config().ifPresent(listed::add);
    assertThat(listed).containsAll(manifest.referencedBlobs());
  }
}
