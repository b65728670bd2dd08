package dev.berth.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a resumable SHA-256 would cost on the push path: the JDK's digest (intrinsified, SHA-NI where
 * the CPU has it, but its state cannot be exported) against Bouncy Castle's {@code SHA256Digest}
 * (pure Java, its state exported by {@code getEncodedState()} and resumed by its constructor), both
 * fed 256 KiB at a time as the upload path reads; and the export and resumption themselves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HashStateBench {

  @Param({"1048576"})
  public int size;

  private static final int READ = 256 * 1024;
  private byte[] data;
  private MessageDigest jdk;
  private SHA256Digest bc;
  private final byte[] out = new byte[32];

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    data = new byte[size];
    new Random(42).nextBytes(data);
    jdk = MessageDigest.getInstance("SHA-256");
    bc = new SHA256Digest();
  }

  @Benchmark
  public byte[] jdkSha256() {
    for (int off = 0; off < size; off += READ) {
      jdk.update(data, off, Math.min(READ, size - off));
    }
    return jdk.digest();
  }

  @Benchmark
  public byte[] bouncyCastleSha256() {
    for (int off = 0; off < size; off += READ) {
      bc.update(data, off, Math.min(READ, size - off));
    }
    bc.doFinal(out, 0);
    return out;
  }

  /** Saving and resuming a state, per operation (no size: a state is the same whatever was hashed). */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public static class Save {
    private SHA256Digest bc;
    private byte[] state;

    @Setup
    public void setUp() {
      bc = new SHA256Digest();
      bc.update(new byte[100], 0, 100);
      state = bc.getEncodedState();
    }

    @Benchmark
    public byte[] bouncyCastleSaveState() {
      return bc.getEncodedState();
    }

    @Benchmark
    public SHA256Digest bouncyCastleResumeState() {
      return new SHA256Digest(state);
    }
  }
}
