package dev.berth.registry;

import dev.berth.oci.DigestAlgorithm;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running state of the JDK's SHA-256, saved and restored, so that another process can carry on
 * an upload's hash without reading its bytes again. The JDK keeps the state to itself; Bouncy
 * Castle's {@code SHA256Digest} exports its own but hashes about 8 times slower than the JDK's
 * SHA-NI intrinsic on this project's machines, which would cost more on every push than resuming
 * saves on the few that change process (docs/design.md, "S3"). So the state is read from and
 * written to the JDK's digest fields, which the JVM must open to Berth ({@code Add-Opens} in the
 * jar's manifest); without them, or with a provider other than the JDK's, nothing is saved and an
 * upload that changes process is hashed again from its bytes, as before.
 *
 * <p>The encoding is Go's {@code crypto/sha256} {@code MarshalBinary}, the one Docker Registry
 * keeps in its {@code hashstates}: {@code "sha\x03"}, the eight state words, the 64-byte block
 * buffer, the length in bytes; all big-endian.
 */
final class Sha256State {
  private static final Logger LOG = LoggerFactory.getLogger(Sha256State.class);
  private static final byte[] MAGIC = {'s', 'h', 'a', 3};
  private static final int BLOCK = 64;
  static final int SIZE = MAGIC.length + 8 * 4 + BLOCK + 8;
  private static final String SPI = "sun.security.provider.SHA2$SHA256";

  private static final Optional<Fields> FIELDS = fields();

  private record Fields(Field spi, Field state, Field buffer, Field bufferOffset, Field processed) {}

  private Sha256State() {}

  private static Optional<Fields> fields() {
    try {
      Field spi = Class.forName("java.security.MessageDigest$Delegate").getDeclaredField("digestSpi");
      Class<?> sha2 = Class.forName("sun.security.provider.SHA2");
      Class<?> base = Class.forName("sun.security.provider.DigestBase");
      Fields fields = new Fields(spi, sha2.getDeclaredField("state"), base.getDeclaredField("buffer"),
          base.getDeclaredField("bufOfs"), base.getDeclaredField("bytesProcessed"));
      for (Field f : new Field[] {fields.spi, fields.state, fields.buffer, fields.bufferOffset, fields.processed}) {
        f.setAccessible(true);
      }
      return Optional.of(fields);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("SHA-256 states of uploads are not saved ({}): an upload continued by another process is hashed "
          + "again from its bytes", e.toString());
      return Optional.empty();
    }
  }

  /** The digest's state; empty when this JVM keeps it out of reach. */
  static Optional<byte[]> save(MessageDigest digest) {
    return spiOf(digest).map(spi -> {
      try {
        Fields f = FIELDS.orElseThrow();
        int[] words = (int[]) f.state.get(spi);
        byte[] buffer = (byte[]) f.buffer.get(spi);
        long length = f.processed.getLong(spi);
        ByteBuffer out = ByteBuffer.allocate(SIZE).put(MAGIC);
        for (int word : words) {
          out.putInt(word);
        }
        out.put(buffer, 0, f.bufferOffset.getInt(spi)).position(SIZE - 8).putLong(length);
        return out.array();
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("opened fields refused access", e);
      }
    });
  }

  /** A JDK digest in {@code encoded}'s state; empty when the state is malformed or out of reach. */
  static Optional<MessageDigest> restore(byte[] encoded) {
    if (encoded.length != SIZE || !Arrays.equals(encoded, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(encoded).position(MAGIC.length);
    long length = in.getLong(SIZE - 8);
    if (length < 0) {
      return Optional.empty();
    }
    MessageDigest digest = DigestAlgorithm.SHA256.newMessageDigest();
    return spiOf(digest).map(spi -> {
      try {
        Fields f = FIELDS.orElseThrow();
        int[] words = (int[]) f.state.get(spi);
        for (int i = 0; i < words.length; i++) {
          words[i] = in.getInt();
        }
        in.get((byte[]) f.buffer.get(spi), 0, BLOCK);
        f.bufferOffset.setInt(spi, (int) (length % BLOCK));
        f.processed.setLong(spi, length);
        return digest;
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("opened fields refused access", e);
      }
    });
  }

  /** The length in bytes a saved state has hashed. */
  static long length(byte[] encoded) {
    return ByteBuffer.wrap(encoded).getLong(SIZE - 8);
  }

  private static Optional<Object> spiOf(MessageDigest digest) {
    if (FIELDS.isEmpty()) {
      return Optional.empty();
    }
    try {
      Object spi = FIELDS.get().spi.get(digest);
      return SPI.equals(spi.getClass().getName()) ? Optional.of(spi) : Optional.empty();
    } catch (IllegalAccessException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
