package dev.berth.registry;

import dev.berth.metadata.DigestGuard;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.BlobMetadata;
import dev.berth.metadata.UploadRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.BlobStore;
import dev.berth.storage.NoSuchUploadException;
import dev.berth.storage.UploadId;
import dev.berth.storage.UploadOffsetException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob uploads: sessions, chunks, the final digest check, and cross-repository mounts.
 *
 * <p>Bytes are hashed once, as they stream into staging. On completion the digest is compared
 * before anything becomes visible; a mismatch discards the staged bytes. Only after the store has
 * made the bytes durable does the metadata row that names them commit (DESIGN.md, invariant 2).
 *
 * <p>After each chunk the running hash's state is saved with the upload, so that the next chunk,
 * on this process or another, carries on from it instead of hashing the staged bytes again.
 */
public final class Uploads {
  private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);

  private final BlobMetadata metadata;
  private final BlobStore store;
  private final DigestGuard guard;
  private final Clock clock;
  private final ConcurrentMap<UploadId, Session> sessions = new ConcurrentHashMap<>();

  public Uploads(BlobMetadata metadata, BlobStore store, DigestGuard guard, Clock clock) {
    this.metadata = metadata;
    this.store = store;
    this.guard = guard;
    this.clock = clock;
  }

  /** Running hashes of sessions idle this long are dropped; a later chunk rebuilds one from disk. */
  private static final java.time.Duration IDLE_HASH = java.time.Duration.ofHours(1);

  /** In-process state of an upload; requests on one upload are serialised by its lock. */
  private static final class Session {
    final ReentrantLock lock = new ReentrantLock();
    RunningHash hash;
    volatile java.time.Instant lastUsed;

    Session(java.time.Instant created) {
      this.lastUsed = created;
    }
  }

  public UploadId start(RepositoryName repository) throws IOException {
    forgetIdleSessions();
    UploadId id = UploadId.random();
    store.createUpload(id);
    metadata.createUpload(id, repository, clock.instant());
    return id;
  }

  /**
   * POST with {@code ?digest=}: the whole blob in one request, without an upload session. A blob no
   * larger than the store's direct-write limit is read, verified and written in one step; a larger
   * one streams into the store, hashed on the way, and becomes visible only once its digest matched.
   */
  public BlobRecord putMonolithic(RepositoryName repository, Digest digest, InputStream body) throws IOException {
    int limit = store.directWriteLimit();
    if (limit > 0) {
      byte[] head = body.readNBytes(limit + 1);
      if (head.length <= limit) {
        return writeVerified(repository, digest, head);
      }
      body = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), body);
    }
    return streamVerified(repository, digest, body);
  }

  /**
   * A whole blob in one request body, hashed as it streams into the store ({@link
   * BlobStore#stageBlob}), made visible and recorded only once its digest matched.
   */
  private BlobRecord streamVerified(RepositoryName repository, Digest digest, InputStream body) throws IOException {
    RunningHash hash = RunningHash.empty(digest.algorithm());
    try (BlobStore.PendingBlob pending = store.stageBlob(digest, new HashingInputStream(body, hash))) {
      requireDigest(digest, hash.current());
      // Under the digest's guard, as every commit (see commit).
      try (DigestGuard.Held held = guard.hold(digest)) {
        pending.commit();
        return metadata.recordBlob(repository, digest, hash.length(), clock.instant());
      }
    }
  }

  private static void requireDigest(Digest expected, Digest actual) {
    if (!actual.equals(expected)) {
      throw new RegistryException(ErrorCode.DIGEST_INVALID,
          "provided digest did not match uploaded content", "expected " + expected + ", got " + actual);
    }
  }

  private BlobRecord writeVerified(RepositoryName repository, Digest expected, byte[] content) throws IOException {
    RunningHash hash = RunningHash.empty(expected.algorithm());
    hash.update(content, 0, content.length);
    requireDigest(expected, hash.current());
    // Under the digest's guard, as every commit (see commit).
    try (DigestGuard.Held held = guard.hold(expected)) {
      store.writeBlob(expected, content);
      return metadata.recordBlob(repository, expected, content.length, clock.instant());
    }
  }

  /** Links a blob {@code from} holds into {@code to}; empty when {@code from} does not hold it. */
  public Optional<BlobRecord> mount(RepositoryName to, RepositoryName from, Digest digest) {
    return metadata.mountBlob(from, to, digest, clock.instant());
  }

  /**
   * Appends a chunk. {@code rangeStart}, from Content-Range, must equal the current size; a chunk
   * out of order changes nothing and the session stays usable.
   *
   * @return the upload's size afterwards
   */
  public long append(RepositoryName repository, UploadId id, OptionalLong rangeStart, InputStream body)
      throws IOException {
    requireSession(repository, id);
    Session session = sessions.computeIfAbsent(id, k -> new Session(clock.instant()));
    session.lock.lock();
    try {
      long size = writeChunk(id, session, stagedSize(id), rangeStart, body, DigestAlgorithm.SHA256);
      saveHashState(id, session.hash);
      metadata.touchUpload(id, clock.instant());
      return size;
    } finally {
      session.lock.unlock();
    }
  }

  public long status(RepositoryName repository, UploadId id) throws IOException {
    requireSession(repository, id);
    try {
      return store.uploadSize(id);
    } catch (NoSuchUploadException e) {
      throw unknownUpload(id);
    }
  }

  /**
   * PUT with {@code ?digest=}: appends the last chunk (possibly empty), verifies the digest, and
   * makes the blob visible in the repository. The session ends either way once the digest was
   * checked: a mismatch stores nothing. A PUT that carries the whole blob (nothing staged before
   * it, as {@code docker}-style monolithic pushes after a POST do) streams it to its place instead
   * of staging it.
   */
  public BlobRecord complete(
      RepositoryName repository, UploadId id, Digest expected, OptionalLong rangeStart, InputStream lastChunk)
      throws IOException {
    requireSession(repository, id);
    Session session = sessions.computeIfAbsent(id, k -> new Session(clock.instant()));
    session.lock.lock();
    try {
      long offset = stagedSize(id);
      if (offset == 0) {
        requireRangeStart(rangeStart, 0);
        try {
          BlobRecord blob = streamVerified(repository, expected, lastChunk);
          discard(id);
          return blob;
        } catch (RegistryException e) {
          if (e.code() == ErrorCode.DIGEST_INVALID) {
            discard(id);
          }
          throw e;
        }
      }
      long size = writeChunk(id, session, offset, rangeStart, lastChunk, expected.algorithm());
      if (session.hash.algorithm() != expected.algorithm()) {
        session.hash = rehash(id, expected.algorithm());
      }
      Digest actual = session.hash.current();
      if (!actual.equals(expected)) {
        discard(id);
      }
      requireDigest(expected, actual);
      BlobRecord blob = commit(repository, id, expected, size);
      metadata.deleteUpload(id);
      sessions.remove(id);
      return blob;
    } finally {
      session.lock.unlock();
    }
  }

  /**
   * Puts the verified bytes in place and records them, under the digest's guard: GC removing the
   * same digest holds it from marking the row to deleting it, so it can never delete bytes this
   * upload has just put in place (docs/design.md, "The per-digest guard").
   */
  private BlobRecord commit(RepositoryName repository, UploadId id, Digest digest, long size) throws IOException {
    try (DigestGuard.Held held = guard.hold(digest)) {
      store.commitUpload(id, digest);
      return metadata.recordBlob(repository, digest, size, clock.instant());
    } catch (NoSuchUploadException e) {
      throw unknownUpload(id);
    }
  }

  public void cancel(RepositoryName repository, UploadId id) throws IOException {
    requireSession(repository, id);
    discard(id);
  }

  private long stagedSize(UploadId id) throws IOException {
    try {
      return store.uploadSize(id);
    } catch (NoSuchUploadException e) {
      throw unknownUpload(id);
    }
  }

  private static void requireRangeStart(OptionalLong rangeStart, long offset) {
    if (rangeStart.isPresent() && rangeStart.getAsLong() != offset) {
      throw new RegistryException(ErrorCode.RANGE_INVALID,
          "chunk starts at " + rangeStart.getAsLong() + " but the upload is at " + offset, new UploadPosition(offset));
    }
  }

  private long writeChunk(UploadId id, Session session, long offset, OptionalLong rangeStart, InputStream body,
      DigestAlgorithm preferred) throws IOException {
    try {
      requireRangeStart(rangeStart, offset);
      session.lastUsed = clock.instant();
      if (session.hash == null || session.hash.length() != offset) {
        session.hash = offset == 0 ? RunningHash.empty(preferred) : resume(id, preferred, offset);
      }
      try {
        return store.appendUpload(id, offset, new HashingInputStream(body, session.hash));
      } catch (IOException | RuntimeException e) {
        // Part of the chunk may be on disk and in the hash, or in one but not the other: rebuild
        // the hash from disk on the next request rather than trust it.
        session.hash = null;
        throw e;
      }
    } catch (NoSuchUploadException e) {
      throw unknownUpload(id);
    } catch (UploadOffsetException e) {
      session.hash = null;
      throw new RegistryException(ErrorCode.RANGE_INVALID, "upload moved on concurrently",
          new UploadPosition(e.currentSize()));
    }
  }

  /**
   * Abandoned uploads (and those GC purged) would otherwise keep their running hash in memory for
   * the life of the process. Dropping an idle one is always safe: it is rebuilt from the staged bytes.
   */
  private void forgetIdleSessions() {
    java.time.Instant horizon = clock.instant().minus(IDLE_HASH);
    sessions.entrySet().removeIf(e -> e.getValue().lastUsed.isBefore(horizon) && !e.getValue().lock.isLocked());
  }

  /**
   * The chunk is stored whatever happens here: a state that could not be saved only costs the next
   * chunk on another process a re-read, so it fails nothing.
   */
  private void saveHashState(UploadId id, RunningHash hash) {
    Optional<byte[]> state = hash.state();
    if (state.isEmpty()) {
      return;
    }
    try {
      store.saveHashState(id, hash.algorithm(), state.get());
    } catch (IOException e) {
      LOG.warn("upload {}: the running hash was not saved, the next chunk on another process hashes the upload again: {}",
          id.value(), e.toString());
    }
  }

  /**
   * The hash of the upload's first {@code offset} bytes from the state saved after its last chunk,
   * or hashed again from the staged bytes when that state is missing, unreadable or of another length
   * (a chunk whose bytes were stored but whose state was not).
   */
  private RunningHash resume(UploadId id, DigestAlgorithm algorithm, long offset) throws IOException {
    Optional<RunningHash> saved = store.hashState(id, algorithm)
        .flatMap(RunningHash::resume)
        .filter(h -> h.algorithm() == algorithm && h.length() == offset);
    return saved.isPresent() ? saved.get() : rehash(id, algorithm);
  }

  private RunningHash rehash(UploadId id, DigestAlgorithm algorithm) throws IOException {
    try (InputStream staged = store.readUpload(id)) {
      return RunningHash.of(algorithm, staged);
    } catch (NoSuchUploadException e) {
      throw unknownUpload(id);
    }
  }

  private void discard(UploadId id) throws IOException {
    store.deleteUpload(id);
    metadata.deleteUpload(id);
    sessions.remove(id);
  }

  private UploadRecord requireSession(RepositoryName repository, UploadId id) {
    return metadata.findUpload(id)
        .filter(u -> u.repository().equals(repository))
        .orElseThrow(() -> unknownUpload(id));
  }

  private static RegistryException unknownUpload(UploadId id) {
    return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown to registry", id.value());
  }

  /** Detail of a RANGE_INVALID error: where the upload really ends, for the Range header. */
  public record UploadPosition(long size) {}
}
