package dev.berth.registry;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.MetadataStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.BlobContent;
import dev.berth.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading and unlinking blobs. A blob is visible in a repository only once uploaded or mounted there. */
public final class Blobs {
  private static final Logger LOG = LoggerFactory.getLogger(Blobs.class);

  private final MetadataStore metadata;
  private final CachedReads reads;
  private final BlobStore store;
  private final Deletes deletes;

  Blobs(MetadataStore metadata, CachedReads reads, BlobStore store, Deletes deletes) {
    this.metadata = metadata;
    this.reads = reads;
    this.store = store;
    this.deletes = deletes;
  }

  /** HEAD: answered from metadata alone. */
  public BlobRecord stat(RepositoryName repository, Digest digest) {
    return reads.findLinkedBlob(repository, digest).orElseThrow(() -> unknown(digest));
  }

  public BlobContent open(RepositoryName repository, Digest digest) throws IOException {
    stat(repository, digest);
    return store.open(digest).orElseThrow(() -> {
      // Metadata says the bytes exist but storage lost them: fsck's business, the client sees 404.
      LOG.error("blob {} is recorded in {} but missing from storage", digest, repository);
      return unknown(digest);
    });
  }

  /**
   * The whole of a small blob (an image config the console shows); empty when it is larger than
   * {@code limit} bytes, which are then not read.
   */
  public Optional<byte[]> read(RepositoryName repository, Digest digest, int limit) throws IOException {
    BlobContent content = open(repository, digest);
    if (content.size() > limit) {
      return Optional.empty();
    }
    try (InputStream in = content.openRange(0, content.size())) {
      return Optional.of(in.readAllBytes());
    }
  }

  public void unlink(RepositoryName repository, Digest digest, String actor) {
    deletes.requireEnabled();
    metadata.atomically(tx -> {
      switch (tx.blobs().unlinkBlob(repository, digest)) {
        case UNLINKED -> deletes.audit(tx.history(), actor, AuditAction.BLOB_UNLINK, repository, repository + "@" + digest, "link removed");
        case NOT_LINKED -> throw unknown(digest);
        case IN_USE -> throw new RegistryException(ErrorCode.BLOB_REFERENCED,
            "a manifest in this repository references the blob; delete the manifest first", digest.toString());
      }
      return null;
    });
  }

  static RegistryException unknown(Digest digest) {
    return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", digest.toString());
  }
}
