package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The hash of an upload's bytes so far, kept between chunk requests so that each byte is hashed
 * exactly once, while it streams to storage.
 */
final class RunningHash {
  private final DigestAlgorithm algorithm;
  private final MessageDigest digest;
  private long length;

  private RunningHash(DigestAlgorithm algorithm, MessageDigest digest, long length) {
    this.algorithm = algorithm;
    this.digest = digest;
    this.length = length;
  }

  static RunningHash empty(DigestAlgorithm algorithm) {
    return new RunningHash(algorithm, algorithm.newMessageDigest(), 0);
  }

  /** Rebuilds the hash from staged bytes, after a restart or when the client switches algorithm. */
  static RunningHash of(DigestAlgorithm algorithm, InputStream staged) throws IOException {
    RunningHash hash = empty(algorithm);
    byte[] buffer = new byte[256 * 1024];
    int n;
    while ((n = staged.read(buffer)) >= 0) {
      hash.update(buffer, 0, n);
    }
    return hash;
  }

  /**
   * A hash saved by {@link #state()}, possibly by another process; empty when the state is not one
   * this JVM can take up.
   */
  static Optional<RunningHash> resume(byte[] state) {
    return Sha256State.restore(state)
        .map(digest -> new RunningHash(DigestAlgorithm.SHA256, digest, Sha256State.length(state)));
  }

  /** What {@link #resume} needs to carry on; empty for SHA-512 or when this JVM keeps the state out of reach. */
  Optional<byte[]> state() {
    return algorithm == DigestAlgorithm.SHA256 ? Sha256State.save(digest) : Optional.empty();
  }

  DigestAlgorithm algorithm() {
    return algorithm;
  }

  long length() {
    return length;
  }

  void update(byte[] bytes, int offset, int count) {
    digest.update(bytes, offset, count);
    length += count;
  }

  /** The digest of everything so far; the running state stays usable. */
  Digest current() {
    try {
      return Digest.of((MessageDigest) digest.clone(), algorithm);
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("JDK message digests are cloneable", e);
    }
  }
}
