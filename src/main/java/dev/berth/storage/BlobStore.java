package dev.berth.storage;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed bytes, nothing else: which repository may see a blob, and whether anything
 * still needs it, is the metadata store's business.
 *
 * <p>Writes go through an upload area: bytes are appended to a staged upload, then {@link
 * #commitUpload} makes them durable and moves them to their digest's place in one atomic step. A
 * blob therefore either exists whole or not at all. Callers verify the digest while they stream the
 * bytes in; the store trusts the digest it is given at commit.
 *
 * <p>A store whose backend cannot be reached throws {@link StorageUnavailableException}.
 */
public interface BlobStore extends AutoCloseable {

  /** Size of the stored blob, or empty when the store does not hold it. */
  Optional<Long> stat(Digest digest) throws IOException;

  Optional<BlobContent> open(Digest digest) throws IOException;

  /** Removes the blob's bytes; true when something was removed. */
  boolean delete(Digest digest) throws IOException;

  /** Every stored blob, in no particular order. Expensive: only for fsck and orphan sweeps. */
  void forEachBlob(Consumer<Digest> action) throws IOException;

  void createUpload(UploadId id) throws IOException;

  /**
   * Appends the whole stream to the staged upload, which must currently be exactly {@code offset}
   * bytes long. Returns the new length.
   */
  long appendUpload(UploadId id, long offset, InputStream data)
      throws IOException, NoSuchUploadException, UploadOffsetException;

  long uploadSize(UploadId id) throws IOException, NoSuchUploadException;

  /** The staged bytes, for re-hashing an upload whose running hash was lost (a restart). */
  InputStream readUpload(UploadId id) throws IOException, NoSuchUploadException;

  /**
   * Keeps {@code state}, the caller's encoding of the upload's running hash in {@code algorithm},
   * where any process using this store finds it, in place of the one kept before. It goes with the
   * upload. The caller checks that a state it reads back matches the upload's bytes.
   */
  void saveHashState(UploadId id, DigestAlgorithm algorithm, byte[] state) throws IOException;

  /** The state last saved by {@link #saveHashState}; empty when there is none. */
  Optional<byte[]> hashState(UploadId id, DigestAlgorithm algorithm) throws IOException;

  /**
   * Makes the staged bytes durable and moves them to {@code digest}'s place, replacing nothing: when
   * the blob already exists the staged copy is discarded. The upload is gone afterwards.
   */
  void commitUpload(UploadId id, Digest digest) throws IOException, NoSuchUploadException;

  /**
   * The size up to which a caller may hand a whole blob, already verified, to {@link #writeBlob}
   * instead of staging it: a store whose staging costs round trips (object storage) takes small
   * blobs in one write. 0: always stage.
   */
  default int directWriteLimit() {
    return 0;
  }

  /**
   * Stores bytes whose digest the caller verified at {@code digest}'s place, appearing whole or not
   * at all; identical content is stored once. Staged like any upload unless the store does better.
   */
  default void writeBlob(Digest digest, byte[] content) throws IOException {
    UploadId id = UploadId.random();
    createUpload(id);
    try {
      appendUpload(id, 0, new java.io.ByteArrayInputStream(content));
      commitUpload(id, digest);
    } catch (NoSuchUploadException | UploadOffsetException e) {
      throw new IOException("an upload of this process vanished: " + id, e);
    }
  }

  /**
   * Takes a whole blob that will be stored at {@code digest}'s place if the caller, having read
   * {@code content} to its end through this call, finds the digest right: the bytes are stored but
   * appear only on {@link PendingBlob#commit}, and go on {@link PendingBlob#close} without it. A
   * store that can write a blob in place without it being visible (object storage's multipart
   * uploads) thereby spares the staged copy; the default stages it as an upload.
   */
  default PendingBlob stageBlob(Digest digest, InputStream content) throws IOException {
    UploadId id = UploadId.random();
    createUpload(id);
    try {
      appendUpload(id, 0, content);
    } catch (NoSuchUploadException | UploadOffsetException e) {
      deleteUpload(id);
      throw new IOException("an upload of this process vanished: " + id, e);
    } catch (IOException | RuntimeException e) {
      deleteUpload(id);
      throw e;
    }
    return new PendingBlob() {
      private boolean committed;

      @Override
      public void commit() throws IOException {
        try {
          commitUpload(id, digest);
          committed = true;
        } catch (NoSuchUploadException e) {
          throw new IOException("an upload of this process vanished: " + id, e);
        }
      }

      @Override
      public void close() throws IOException {
        if (!committed) {
          deleteUpload(id);
        }
      }
    };
  }

  /** The bytes of {@link #stageBlob}, not yet visible. */
  interface PendingBlob extends AutoCloseable {
    /** Makes the blob visible at its digest's place, whole; identical content is stored once. */
    void commit() throws IOException;

    /** Discards the bytes unless they were committed. */
    @Override
    void close() throws IOException;
  }

  /** Discards a staged upload; true when it existed. */
  boolean deleteUpload(UploadId id) throws IOException;

  /** Staged uploads with the time they last changed, for purging abandoned sessions. */
  void forEachUpload(UploadVisitor visitor) throws IOException;

  /** Releases the clients the store holds; a local store holds none. */
  @Override
  default void close() {}

  @FunctionalInterface
  interface UploadVisitor {
    void visit(UploadId id, Instant lastModified) throws IOException;
  }
}
