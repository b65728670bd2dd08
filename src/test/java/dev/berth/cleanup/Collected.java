package dev.berth.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's report with every item its listener was handed, as the tests read them. Taking one also
 * checks that the report's counts and bytes agree with the items.
 */
record Collected(GcReport report, List<GcItem> items) {

  static Collected run(GarbageCollector collector, GcOptions options) throws IOException {
    return run(collector, options, GcListener.NONE);
  }

  /** Runs with {@code listener} too, for tests that also pause the run or watch its phases. */
  static Collected run(GarbageCollector collector, GcOptions options, GcListener listener) throws IOException {
    List<GcItem> items = new ArrayList<>();
    GcReport report = collector.run(options, new GcListener() {
      @Override
      public void phase(GcPhase phase) {
        listener.phase(phase);
      }

      @Override
      public void removed(GcItem item) {
        items.add(item);
        listener.removed(item);
      }

      @Override
      public void blobMarkedDeleting(Digest digest) {
        listener.blobMarkedDeleting(digest);
      }

      @Override
      public void warning(String message) {
        listener.warning(message);
      }
    });
    Collected collected = new Collected(report, List.copyOf(items));
    assertThat(report.manifests()).as("manifests counted").isEqualTo(collected.manifests().size());
    assertThat(report.blobs()).as("blobs counted").isEqualTo(collected.blobs().size());
    assertThat(report.links()).as("links counted").isEqualTo(collected.links().size());
    assertThat(report.orphans()).as("orphans counted").isEqualTo(collected.orphans().size());
    assertThat(report.repositories()).as("repositories counted").isEqualTo(collected.repositories().size());
    assertThat(report.bytesFreed()).as("bytes freed").isEqualTo(items.stream().mapToLong(GcItem::size).sum());
    return collected;
  }

  List<GcItem.DeletedManifest> manifests() {
    return of(GcItem.DeletedManifest.class);
  }

  List<GcItem.DeletedBlob> blobs() {
    return of(GcItem.DeletedBlob.class);
  }

  List<GcItem.DeletedLink> links() {
    return of(GcItem.DeletedLink.class);
  }

  List<Digest> orphans() {
    return of(GcItem.DeletedOrphan.class).stream().map(GcItem.DeletedOrphan::digest).toList();
  }

  List<RepositoryName> repositories() {
    return of(GcItem.RemovedRepository.class).stream().map(GcItem.RemovedRepository::repository).toList();
  }

  int uploads() {
    return report.uploads();
  }

  long bytesFreed() {
    return report.bytesFreed();
  }

  private <T extends GcItem> List<T> of(Class<T> kind) {
    return items.stream().filter(kind::isInstance).map(kind::cast).toList();
  }
}
