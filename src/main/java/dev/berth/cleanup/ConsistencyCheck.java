package dev.berth.cleanup;

import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.CollectorStore;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.storage.BlobContent;
import dev.berth.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code berth fsck}: do metadata and storage agree? Every live blob row must have bytes of its
 * size (and, when asked, of its digest). Bytes without a row are orphans a crash can leave; they are
 * reported, not errors, and {@code berth gc --orphans} reclaims them.
 */
public final class ConsistencyCheck {
  private final CollectorStore metadata;
  private final BlobStore store;

  public ConsistencyCheck(CollectorStore metadata, BlobStore store) {
    this.metadata = metadata;
    this.store = store;
  }

  /** The findings; {@link #clean()} is false when any row names bytes that are missing or wrong. */
  public record Result(long blobsChecked, List<String> dangling, List<String> corrupt, List<Digest> orphans) {
    public boolean clean() {
      return dangling.isEmpty() && corrupt.isEmpty();
    }
  }

  public Result run(boolean verifyDigests, Consumer<String> report) throws IOException {
    List<String> dangling = new ArrayList<>();
    List<String> corrupt = new ArrayList<>();
    long[] checked = {0};
    try {
      metadata.forEachBlob(blob -> {
        checked[0]++;
        try {
          check(blob, verifyDigests, dangling, corrupt, report);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<Digest> orphans = new ArrayList<>();
    store.forEachBlob(digest -> {
      if (!metadata.blobRowExists(digest)) {
        orphans.add(digest);
        report.accept("orphaned bytes " + digest + " (no metadata row; berth gc --orphans reclaims them)");
      }
    });
    return new Result(checked[0], dangling, corrupt, orphans);
  }

  private void check(BlobRecord blob, boolean verifyDigests, List<String> dangling, List<String> corrupt,
      Consumer<String> report) throws IOException {
    Optional<BlobContent> content = store.open(blob.digest());
    if (content.isEmpty()) {
      // GC may have marked and emptied it since we read the row: only a row still live is dangling.
      if (metadata.findLiveBlob(blob.digest()).isPresent()) {
        dangling.add(blob.digest().toString());
        report.accept("DANGLING " + blob.digest() + ": recorded (" + blob.size() + " bytes) but missing from storage");
      }
      return;
    }
    if (content.get().size() != blob.size()) {
      corrupt.add(blob.digest().toString());
      report.accept("CORRUPT " + blob.digest() + ": " + content.get().size() + " bytes stored, " + blob.size() + " recorded");
      return;
    }
    if (verifyDigests && !hashOf(content.get(), blob.digest().algorithm()).equals(blob.digest())) {
      corrupt.add(blob.digest().toString());
      report.accept("CORRUPT " + blob.digest() + ": stored bytes hash to something else");
    }
  }

  private static Digest hashOf(BlobContent content, DigestAlgorithm algorithm) throws IOException {
    MessageDigest md = algorithm.newMessageDigest();
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = content.openRange(0, content.size())) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        md.update(buffer, 0, n);
      }
    }
    return Digest.of(md, algorithm);
  }
}
