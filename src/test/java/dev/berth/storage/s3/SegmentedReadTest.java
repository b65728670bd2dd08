package dev.berth.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SegmentedReadTest {
  private static final SegmentedRead.Shape SHAPE = new SegmentedRead.Shape(10_000, 3, 4096, 2);

  private final byte[] object = new byte[100_003];
  /** The ranges asked for, as "offset+length". */
  private final List<String> opened = Collections.synchronizedList(new ArrayList<>());

  SegmentedReadTest() {
    new Random(3).nextBytes(object);
  }

  private ReadAheadStream.Body range(long offset, long length) {
    opened.add(offset + "+" + length);
    int end = (int) Math.min(object.length, offset + length);
    return new ReadAheadStream.Body(new ByteArrayInputStream(object, (int) offset, end - (int) offset), () -> {});
  }

  @Test
  void aRangeArrivesWholeAndInOrderFromSegmentsReadAtOnce() throws Exception {
    Semaphore budget = new Semaphore(3);
    try (SegmentedRead in = new SegmentedRead(this::range, 7, 95_000, SHAPE, budget)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer direct = ByteBuffer.allocateDirect(6000);
      byte[] array = new byte[5001];
      while (true) {
        // Arrays and direct buffers in turn, of sizes that straddle blocks and segments.
        int n;
        if (out.size() % 2 == 0) {
          direct.clear().limit(1 + out.size() % direct.capacity());
          n = in.read(direct);
          direct.flip();
          byte[] got = new byte[direct.remaining()];
          direct.get(got);
          out.write(got);
        } else {
          n = in.read(array, 0, 1 + out.size() % array.length);
          if (n > 0) {
            out.write(array, 0, n);
          }
        }
        if (n < 0) {
          break;
        }
      }
      assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(object, 7, 95_007));
      assertThat(opened).hasSize(10).contains("7+10000", "90007+5000");
    }
    assertThat(budget.availablePermits()).isEqualTo(3);
  }

  @Test
  void withoutPermitsTheRangeIsOneSequentialRead() throws Exception {
    Semaphore budget = new Semaphore(0);
    try (SegmentedRead in = new SegmentedRead(this::range, 5, 99_998, SHAPE, budget)) {
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(object, 5, 100_003));
    }
    assertThat(opened).containsExactly("5+99998");
  }

  @Test
  void aFailingSegmentFailsTheReadAfterTheBytesBeforeIt() throws Exception {
    Semaphore budget = new Semaphore(3);
    SegmentedRead.Ranges failingThird = (offset, length) -> {
      if (offset == 20_000) {
        throw new IOException("connection reset");
      }
      return range(offset, length);
    };
    try (SegmentedRead in = new SegmentedRead(failingThird, 0, object.length, SHAPE, budget)) {
      assertThat(in.readNBytes(20_000)).isEqualTo(java.util.Arrays.copyOf(object, 20_000));
      assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("connection reset");
    }
    assertThat(budget.availablePermits()).isEqualTo(3);
  }

  @Test
  void aSegmentShorterThanItsRangeFailsTheReadInsteadOfSkippingBytes() throws Exception {
    SegmentedRead.Ranges shortSecond = (offset, length) -> range(offset, offset == 10_000 ? length - 1 : length);
    try (SegmentedRead in = new SegmentedRead(shortSecond, 0, object.length, SHAPE, new Semaphore(3))) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(EOFException.class);
    }
  }

  @Test
  void aMissingObjectFailsTheOpenAndKeepsNoPermit() {
    Semaphore budget = new Semaphore(3);
    assertThatThrownBy(() -> new SegmentedRead((offset, length) -> {
      throw new NoSuchFileException("gone");
    }, 0, object.length, SHAPE, budget)).isInstanceOf(NoSuchFileException.class);
    assertThat(budget.availablePermits()).isEqualTo(3);
  }

  @Test
  void closingEarlyAbortsEverySegmentStillOpenAndGivesBackItsPermits() throws Exception {
    Semaphore budget = new Semaphore(3);
    CountDownLatch aborted = new CountDownLatch(3);
    SegmentedRead.Ranges endless = (offset, length) -> new ReadAheadStream.Body(new InputStream() {
      @Override
      public int read() {
        return 0;
      }
    }, aborted::countDown);
    SegmentedRead in = new SegmentedRead(endless, 0, 10_000_000, new SegmentedRead.Shape(1_000_000, 3, 4096, 2), budget);
    assertThat(in.readNBytes(5000)).hasSize(5000);
    in.close();
    assertThat(aborted.await(1, TimeUnit.MINUTES)).isTrue();
    assertThat(budget.availablePermits()).isEqualTo(3);
    assertThatThrownBy(in::read).isInstanceOf(IOException.class);
  }
}
