package dev.berth.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadAheadStreamTest {

  @Test
  void everyByteArrivesInOrderWhateverTheReadSizes() throws Exception {
    byte[] content = new byte[1_000_003];
    new Random(1).nextBytes(content);
    try (ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(content), () -> {}, new BlockPool(4096, 3), 3)) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[7001];
      for (int n; (n = in.read(buffer, 0, 1 + out.size() % buffer.length)) >= 0; ) {
        out.write(buffer, 0, n);
      }
      assertThat(out.toByteArray()).isEqualTo(content);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aFailingSourceFailsTheReaderAfterTheBytesBeforeIt() throws Exception {
    InputStream failing = new InputStream() {
      @Override
      public int read() {
        throw new IllegalStateException("connection reset");
      }
    };
    try (ReadAheadStream in = new ReadAheadStream(new SequenceInputStream(new ByteArrayInputStream(new byte[10_000]), failing),
        () -> {}, new BlockPool(4096, 2), 2)) {
      assertThat(in.readNBytes(8192)).hasSize(8192);
      assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("connection reset");
    }
  }

  @Test
  void closingBeforeTheEndAbortsTheSourceInsteadOfReadingItToTheEnd() throws Exception {
    CountDownLatch aborted = new CountDownLatch(1);
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 0;
      }
    };
    ReadAheadStream in = new ReadAheadStream(endless, aborted::countDown, new BlockPool(4096, 2), 2);
    assertThat(in.readNBytes(10_000)).hasSize(10_000);
    in.close();
    assertThat(aborted.await(1, TimeUnit.MINUTES)).isTrue();
  }

  @Test
  void blocksGoBackToThePoolAtTheEndButNotAfterAnEarlyClose() throws Exception {
    byte[] ones = new byte[3 * 4096];
    java.util.Arrays.fill(ones, (byte) 1);
    BlockPool pool = new BlockPool(4096, 2);
    try (ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(ones), () -> {}, pool, 2)) {
      assertThat(in.readAllBytes()).isEqualTo(ones);
    }
    // Blocks that held the stream's bytes, where a new one is all zeros.
    byte[] first = pool.take();
    byte[] second = pool.take();
    assertThat(first).contains((byte) 1);
    assertThat(second).contains((byte) 1);

    pool.give(first);
    pool.give(second);
    ReadAheadStream early = new ReadAheadStream(new ByteArrayInputStream(ones), () -> {}, pool, 2);
    assertThat(early.readNBytes(10)).hasSize(10);
    early.close();
    assertThat(pool.take()).containsOnly((byte) 0);
  }

  @Test
  void aDirectBufferGetsEveryByteInOrderAndNothingOnceClosed() throws Exception {
    byte[] content = new byte[100_003];
    new Random(2).nextBytes(content);
    ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(content), () -> {}, new BlockPool(4096, 3), 3);
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(content.length + 10);
    for (int limit = 1; in.read(direct) >= 0; limit += 3001) {
      direct.limit(Math.min(direct.capacity(), direct.position() + limit));
    }
    direct.flip();
    byte[] got = new byte[direct.remaining()];
    direct.get(got);
    assertThat(got).isEqualTo(content);
    in.close();
    assertThat(in.isOpen()).isFalse();
    assertThatThrownBy(() -> in.read(java.nio.ByteBuffer.allocate(1)))
        .isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }
}
