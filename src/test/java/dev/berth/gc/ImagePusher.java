package dev.berth.gc;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pushes images the way a client racing online GC must: blobs first, then the manifest; when the
 * manifest PUT answers MANIFEST_BLOB_UNKNOWN or BLOB_UNKNOWN (GC took a blob between its upload and
 * the PUT: the clean error of DESIGN.md invariant 5), start again from scratch. Any other answer is
 * a failure. Thread-safe; counts pushes and retries over all threads.
 */
final class ImagePusher {
  static final Set<String> RETRY_FROM_SCRATCH = Set.of("MANIFEST_BLOB_UNKNOWN", "BLOB_UNKNOWN");

  private final OciHttp registry;
  private final int maxAttempts;
  private final boolean headFirst;
  private final LongAdder pushes = new LongAdder();
  private final LongAdder skippedUploads = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder starved = new LongAdder();

  ImagePusher(OciHttp registry, int maxAttempts) {
    this(registry, maxAttempts, false);
  }

  /**
   * With {@code headFirst}, as docker, podman and skopeo push: a blob the registry answers a HEAD
   * for is not uploaded again. That is the race online GC must survive: the blob was there at the
   * HEAD and may be gone by the manifest PUT, which must then fail cleanly.
   */
  ImagePusher(OciHttp registry, int maxAttempts, boolean headFirst) {
    this.registry = registry;
    this.maxAttempts = maxAttempts;
    this.headFirst = headFirst;
  }

  /**
   * Pushes {@code image} under {@code reference} (a tag, or its digest) until the registry accepts
   * it.
   *
   * @throws IOException when the registry cannot be reached (e.g. it was killed)
   * @throws AssertionError on any answer a client could not recover from, or when GC won every one
   *     of {@code maxAttempts} attempts
   */
  void push(String repo, String reference, TestImage image) throws IOException {
    if (!tryPush(repo, reference, image)) {
      throw new AssertionError(
          "GC took a blob of " + repo + ":" + reference + " in each of " + maxAttempts + " attempts");
    }
  }

  /**
   * Like {@link #push}, but losing every attempt to GC is an outcome, not a failure: with a grace
   * period of zero, a collection that runs again and again can starve a slow push for as long as
   * it goes on, and how often that happens depends only on speed.
   *
   * @return whether the image was pushed
   */
  boolean tryPush(String repo, String reference, TestImage image) throws IOException {
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      for (byte[] blob : image.blobs()) {
        if (headFirst && registry.headBlob(repo, blob).status() == 200) {
          skippedUploads.increment();
          continue;
        }
        OciHttp.Reply uploaded = registry.uploadBlob(repo, blob);
        if (uploaded.status() != 201) {
          throw new AssertionError("blob upload failed: " + uploaded);
        }
      }
      OciHttp.Reply put = registry.putManifest(repo, reference, image.mediaType(), image.manifest());
      if (put.status() == 201) {
        if (!image.digest().equals(put.header("Docker-Content-Digest"))) {
          throw new AssertionError("manifest stored under another digest than " + image.digest() + ": " + put);
        }
        pushes.increment();
        return true;
      }
      boolean clean = put.status() >= 400 && put.status() < 500
          && !put.errorCodes().isEmpty() && RETRY_FROM_SCRATCH.containsAll(put.errorCodes());
      if (!clean) {
        throw new AssertionError("manifest push failed with an error a client cannot recover from: " + put);
      }
      retries.increment();
    }
    starved.increment();
    return false;
  }

  long pushes() {
    return pushes.sum();
  }

  long retries() {
    return retries.sum();
  }

  /** Blob uploads left out because a HEAD found the blob. */
  long skippedUploads() {
    return skippedUploads.sum();
  }

  /** Pushes given up after losing every attempt to GC. */
  long starved() {
    return starved.sum();
  }
}
