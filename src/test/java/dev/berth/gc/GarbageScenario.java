package dev.berth.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Digests;
import dev.berth.testing.ManifestBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two repositories holding every kind of thing a collection must keep or take, pushed through the
 * API, with what a collection (grace 0) must delete worked out by hand:
 *
 * <ul>
 *   <li>{@code app:keep}, an image with a layer shared by everything, and a signature (a referrer)
 *       of it: kept;
 *   <li>{@code app:multi}, an index whose only child is pushed untagged: both kept;
 *   <li>an image whose tag was deleted (its unique layer is also used by {@code other:shared}) and
 *       an image pushed by digest only: untagged, taken only with {@code deleteUntagged};
 *   <li>an image deleted by digest, with its signature: the blobs and the orphaned referrer are
 *       garbage in any case;
 *   <li>a blob uploaded but never used by a manifest: garbage.
 * </ul>
 */
final class GarbageScenario {
  /** Manifests ({@link GcOutput#manifestKey}) and blobs a collection deletes. */
  record Garbage(Set<String> manifests, Set<String> blobs) {}

  final String app;
  final String other;
  final List<String> repositories;
  /** Repository → its tags, as they must stay. */
  final Map<String, List<String>> tags;
  /** A referrer that must stay pullable by digest: app@{@code keptReferrer}. */
  final String keptReferrer;
  private final Garbage always;
  private final Garbage untagged;

  private GarbageScenario(String app, String other, String keptReferrer, Garbage always, Garbage untagged) {
    this.app = app;
    this.other = other;
    this.repositories = List.of(app, other);
    this.tags = Map.of(app, List.of("keep", "multi"), other, List.of("shared"));
    this.keptReferrer = keptReferrer;
    this.always = always;
    this.untagged = untagged;
  }

  static GarbageScenario push(OciHttp registry, String prefix, ImageFactory images) throws IOException {
    String app = prefix + "/app";
    String other = prefix + "/other";
    byte[] shared = images.sharedLayer(0);

    TestImage keep = image(images, "keep", shared, images.uniqueLayer());
    put(registry, app, "keep", keep);
    TestImage signature = referrer(images, keep);
    put(registry, app, signature.digest(), signature);

    TestImage child = image(images, "child", images.uniqueLayer());
    put(registry, app, child.digest(), child);
    byte[] index = ManifestBuilder.index(ManifestBuilder.OCI_INDEX).manifests(child.descriptor()).build();
    OciHttp.Reply indexPut = registry.putManifest(app, "multi", ManifestBuilder.OCI_INDEX, index);
    assertThat(indexPut.status()).as("%s", indexPut).isEqualTo(201);

    byte[] alsoInOther = images.uniqueLayer();
    TestImage untaggedByDelete = image(images, "untagged-by-delete", shared, alsoInOther);
    put(registry, app, "old", untaggedByDelete);
    delete(registry, app, "old");
    put(registry, other, "shared", image(images, "shared", alsoInOther));

    TestImage pushedByDigest = image(images, "by-digest", images.uniqueLayer());
    put(registry, app, pushedByDigest.digest(), pushedByDigest);

    TestImage deletedImage = image(images, "deleted", shared, images.uniqueLayer());
    put(registry, app, "doomed", deletedImage);
    TestImage orphanedSignature = referrer(images, deletedImage);
    put(registry, app, orphanedSignature.digest(), orphanedSignature);
    delete(registry, app, deletedImage.digest());

    byte[] loose = images.uniqueLayer();
    OciHttp.Reply upload = registry.uploadBlob(app, loose);
    assertThat(upload.status()).as("%s", upload).isEqualTo(201);

    Set<String> alwaysBlobs = new TreeSet<>(List.of(Digests.sha256(deletedImage.config()),
        Digests.sha256(deletedImage.layers().get(1)), Digests.sha256(orphanedSignature.layers().get(0)),
        Digests.sha256(loose)));
    Garbage always = new Garbage(Set.of(GcOutput.manifestKey(app, orphanedSignature.digest())), alwaysBlobs);
    Garbage untagged = new Garbage(
        Set.of(GcOutput.manifestKey(app, untaggedByDelete.digest()),
            GcOutput.manifestKey(app, pushedByDigest.digest())),
        Set.of(Digests.sha256(untaggedByDelete.config()), Digests.sha256(pushedByDigest.config()),
            Digests.sha256(pushedByDigest.layers().get(0))));
    return new GarbageScenario(app, other, signature.digest(), always, untagged);
  }

  /** What a collection with grace 0 deletes. */
  Garbage garbage(boolean deleteUntagged) {
    if (!deleteUntagged) {
      return always;
    }
    Set<String> manifests = new TreeSet<>(always.manifests());
    manifests.addAll(untagged.manifests());
    Set<String> blobs = new TreeSet<>(always.blobs());
    blobs.addAll(untagged.blobs());
    return new Garbage(manifests, blobs);
  }

  /** Every tag of the scenario and the kept referrer pull whole. */
  void assertKeptImagesPull(OciHttp registry) throws IOException {
    PullVerifier pulled = new PullVerifier(registry)
        .pullEveryTag(repositories)
        .pull(app, keptReferrer)
        .assertAllWhole();
    assertThat(pulled.tagsPulled()).isEqualTo(3);
  }

  private static TestImage image(ImageFactory images, String name, byte[]... layers) {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"scenario\":\"" + name + "\",\"layer\":\""
        + Digests.sha256(layers[layers.length - 1]) + "\"}").getBytes(StandardCharsets.UTF_8);
    return TestImage.of(config, List.of(layers));
  }

  /** A signature of {@code subject}: the empty config every such artifact shares, and its own layer. */
  private static TestImage referrer(ImageFactory images, TestImage subject) {
    return TestImage.signatureOf(subject, images.uniqueLayer());
  }

  private static void put(OciHttp registry, String repo, String reference, TestImage image) throws IOException {
    new ImagePusher(registry, 1).push(repo, reference, image);
  }

  private static void delete(OciHttp registry, String repo, String reference) throws IOException {
    OciHttp.Reply deleted = registry.deleteManifest(repo, reference);
    assertThat(deleted.status()).as("%s", deleted).isEqualTo(202);
  }
}
