package dev.berth.metadata;

import dev.berth.oci.RepositoryName;

/**
 * Told when a write may have taken away or redirected something a reader could have cached: a tag
 * that moved or went, a manifest or blob link that went (per repository), blobs that stopped being
 * live (in any repository). Additions are not reported: a reader that caches only what it found
 * cannot be made wrong by them.
 *
 * <p>Called once the write transaction has ended, whether or not it committed, and before the
 * write's caller returns, so a client that saw its delete acknowledged never reads the old state.
 */
public interface ChangeListener {

  void repositoryChanged(RepositoryName repository);

  void blobsRetired();
}
