package dev.berth.gc;

import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import dev.berth.testing.ManifestBuilder.Descriptor;
import java.util.ArrayList;
import java.util.List;

/** An OCI image as a client holds it before pushing: its blobs' bytes, its manifest's bytes and digest. */
record TestImage(byte[] config, List<byte[]> layers, byte[] manifest, String digest) {
  static final String SIGNATURE = "application/vnd.berth.test.signature.v1";

  static TestImage of(byte[] config, List<byte[]> layers) {
    return build(ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .config(Descriptor.of(ManifestBuilder.OCI_CONFIG, config))
        .layers(layers.stream().map(l -> Descriptor.of(ManifestBuilder.OCI_LAYER, l)).toArray(Descriptor[]::new)),
        config, List.copyOf(layers));
  }

  /** A signature of {@code subject} (a referrer): the OCI empty config and one layer. */
  static TestImage signatureOf(TestImage subject, byte[] signature) {
    return build(ManifestBuilder.image(ManifestBuilder.OCI_MANIFEST)
        .artifactType(SIGNATURE)
        .config(Descriptor.emptyConfig())
        .layers(Descriptor.of(SIGNATURE, signature))
        .subject(subject.descriptor()),
        ManifestBuilder.EMPTY_JSON, List.of(signature));
  }

  private static TestImage build(ManifestBuilder builder, byte[] config, List<byte[]> layers) {
    byte[] manifest = builder.build();
    return new TestImage(config, layers, manifest, Digests.sha256(manifest));
  }

  /** The config first, then the layers: everything a registry must hold for the image. */
  List<byte[]> blobs() {
    List<byte[]> blobs = new ArrayList<>();
    blobs.add(config);
    blobs.addAll(layers);
    return blobs;
  }

  String mediaType() {
    return ManifestBuilder.OCI_MANIFEST;
  }

  Descriptor descriptor() {
    return Descriptor.of(ManifestBuilder.OCI_MANIFEST, digest, manifest.length);
  }
}
