package dev.berth.cleanup;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.time.Duration;
import java.util.List;

/** What a run deleted (or, dry, would delete), with the bytes it freed. */
public record GcReport(
    boolean dryRun,
    List<DeletedManifest> manifests,
    List<DeletedBlob> blobs,
    List<Digest> orphans,
    List<DeletedLink> links,
    int uploads,
    List<RepositoryName> repositories,
    long bytesFreed,
    Duration duration,
    List<String> warnings) {

  public record DeletedManifest(RepositoryName repository, Digest digest, long size) {}

  /** A blob, with the repositories whose links to it this run removed (where it was last seen). */
  public record DeletedBlob(Digest digest, long size, List<RepositoryName> repositories) {
    public DeletedBlob {
      repositories = List.copyOf(repositories);
    }
  }

  public record DeletedLink(RepositoryName repository, Digest digest) {}

  /** The report's closing summary, one line. */
  public String summary() {
    return String.format("%s: %d manifests, %d blobs, %d orphaned blobs, %d links, %d upload sessions, "
            + "%d empty repositories; %d bytes %s; %.3f s",
        dryRun ? "dry run" : "collected", manifests.size(), blobs.size(), orphans.size(), links.size(), uploads,
        repositories.size(), bytesFreed, dryRun ? "would be freed" : "freed", duration.toNanos() / 1e9);
  }
}
