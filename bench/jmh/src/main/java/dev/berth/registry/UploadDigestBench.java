package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Digest verification of an upload, the way {@link Uploads} does it: the request body streams
 * through a {@link HashingInputStream} feeding a {@link RunningHash}, read in the 256 KiB chunks
 * the filesystem blob store copies with, then {@link RunningHash#current()} is compared with the
 * digest the client named. The disk write is left out: this is the CPU cost per byte. In this
 * package because RunningHash and HashingInputStream are package-private.
 *
 * <p>Throughput is in operations per second; bench/jmh/run turns it into MB/s (size × ops/s) and
 * sets it beside {@code openssl speed -evp sha256} on one core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class UploadDigestBench {

  @Param({"4096", "1048576"})
  public int size;

  private byte[] data;
  private byte[] copyBuffer;
  private Digest expected;

  @Setup
  public void setUp() {
    data = new byte[size];
    new Random(42).nextBytes(data);
    copyBuffer = new byte[256 * 1024];
    expected = Digest.sha256(data);
  }

  /** The upload path: HashingInputStream + RunningHash, then the comparison with the named digest. */
  @Benchmark
  public boolean uploadPathVerify() throws IOException {
    RunningHash hash = RunningHash.empty(DigestAlgorithm.SHA256);
    try (InputStream in = new HashingInputStream(new ByteArrayInputStream(data), hash)) {
      while (in.read(copyBuffer, 0, copyBuffer.length) >= 0) {
        // the store would write copyBuffer to the staged file here
      }
    }
    return hash.current().equals(expected);
  }

  /** Digest.sha256(byte[]): what manifests (and small bodies) go through. */
  @Benchmark
  public Digest digestSha256() {
    return Digest.sha256(data);
  }

  /** Bare JDK MessageDigest, the floor the two above are measured against. */
  @Benchmark
  public byte[] jdkMessageDigest() {
    MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
    md.update(data);
    return md.digest();
  }
}
