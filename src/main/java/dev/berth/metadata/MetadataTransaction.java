package dev.berth.metadata;

/**
 * One open write transaction, and the stores whose every call runs inside it: what the work of
 * {@link MetadataStore#atomically} writes through them commits together, or not at all. A call on
 * the {@link MetadataStore}'s own stores from inside the work is a separate transaction, and
 * refused while the work runs (it could wait for the very transaction it runs in).
 */
public interface MetadataTransaction {

  BlobMetadata blobs();

  ManifestMetadata manifests();

  /** The audit log and GC history, so that a change and the entry recording it are one commit. */
  HistoryStore history();

  /** The quota check of a push, whose lock on the namespace lasts until this transaction ends. */
  QuotaLedger quota();
}
