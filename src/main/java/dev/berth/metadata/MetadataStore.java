package dev.berth.metadata;

import java.util.function.Function;

/**
 * The source of truth for what exists, one store per concern over one database: blobs and upload
 * sessions, manifests and tags, the collector's queries, GC history and the audit log, users and
 * roles, the inventory of what fills the disk, namespaces' policies and retention runs.
 *
 * <p>Each call on a store is one transaction. Writes of several stores that must commit together
 * go through {@link #atomically}, whose {@link MetadataTransaction} hands out the stores bound to
 * that one transaction.
 */
public interface MetadataStore extends AutoCloseable {

  BlobMetadata blobs();

  ManifestMetadata manifests();

  CollectorStore collector();

  HistoryStore history();

  AccessStore access();

  InventoryStore inventory();

  /** Namespaces' policy documents, shared by every process on the database. */
  PolicyStore policies();

  /** What retention runs read of a namespace, and their history. */
  RetentionStore retention();

  /**
   * Runs {@code work} as one transaction: everything it writes through the stores of its
   * {@link MetadataTransaction} commits, or none of it does. One commit for what would be several:
   * a delete and its audit entry are one fsync instead of two, and never one without the other. A
   * call that throws inside {@code work} leaves what it wrote in the transaction, so let the
   * exception end {@code work}.
   */
  <R> R atomically(Function<MetadataTransaction, R> work);

  // ---- change notification

  /**
   * Reports to {@code listener} every change made through this store that could invalidate a
   * cached read. False when the store cannot: its database is shared with other processes, whose
   * writes it never sees; then nothing may be cached in front of it.
   */
  boolean subscribe(ChangeListener listener);

  @Override
  void close();
}
