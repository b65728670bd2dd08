package dev.berth.cleanup;

import dev.berth.metadata.GcRunItem;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import java.util.List;
import java.util.Optional;

/** One thing a run removed (or, dry, would remove). Runs hand these to their listener one by one. */
public sealed interface GcItem {

  /** The bytes its removal frees (what its manifest or blob weighed; 0 for a link or repository). */
  long size();

  GcRunItem toRecord(long seq);

  record DeletedManifest(RepositoryName repository, Digest digest, long size) implements GcItem {
    @Override
    public GcRunItem toRecord(long seq) {
      return new GcRunItem(seq, GcRunItem.Kind.MANIFEST, List.of(repository), Optional.of(digest), size);
    }
  }

  /**
   * A link whose blob stays, used elsewhere. A blob that goes takes its links along: those are its
   * {@link DeletedBlob#repositories()}.
   */
  record DeletedLink(RepositoryName repository, Digest digest) implements GcItem {
    @Override
    public long size() {
      return 0;
    }

    @Override
    public GcRunItem toRecord(long seq) {
      return new GcRunItem(seq, GcRunItem.Kind.LINK, List.of(repository), Optional.of(digest), 0);
    }
  }

  /** A blob, with the repositories it was linked into when it went (where it was last seen). */
  record DeletedBlob(Digest digest, long size, List<RepositoryName> repositories) implements GcItem {
    public DeletedBlob {
      repositories = List.copyOf(repositories);
    }

    @Override
    public GcRunItem toRecord(long seq) {
      return new GcRunItem(seq, GcRunItem.Kind.BLOB, repositories, Optional.of(digest), size);
    }
  }

  /** Bytes in the blob store that no row described. */
  record DeletedOrphan(Digest digest, long size) implements GcItem {
    @Override
    public GcRunItem toRecord(long seq) {
      return new GcRunItem(seq, GcRunItem.Kind.ORPHAN, List.of(), Optional.of(digest), size);
    }
  }

  record RemovedRepository(RepositoryName repository) implements GcItem {
    @Override
    public long size() {
      return 0;
    }

    @Override
    public GcRunItem toRecord(long seq) {
      return new GcRunItem(seq, GcRunItem.Kind.REPOSITORY, List.of(repository), Optional.empty(), 0);
    }
  }
}
