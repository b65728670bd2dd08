package dev.berth.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyWritebackTest {
  @TempDir
  Path directory;

  private FileChannel channel;
  /** Flushes started and not yet run: the test decides when each one finishes. */
  private final List<Runnable> started = new ArrayList<>();
  private final Executor held = started::add;

  @BeforeEach
  void open() throws Exception {
    channel = FileChannel.open(directory.resolve("upload"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @AfterEach
  void close() throws Exception {
    channel.close();
  }

  @Test
  void aFlushStartsEachTimeAnotherThresholdOfBytesIsWritten() throws Exception {
    EarlyWriteback writeback = new EarlyWriteback(channel, held);
    writeback.written(EarlyWriteback.EVERY - 1);
    assertThat(started).isEmpty();
    writeback.written(1);
    assertThat(started).hasSize(1);
    started.getFirst().run();
    writeback.written(EarlyWriteback.EVERY - 1);
    assertThat(started).hasSize(1);
    writeback.written(1);
    assertThat(started).hasSize(2);
  }

  @Test
  void aFlushStillRunningIsLeftToFinishAndTheNextStartsAfterIt() throws Exception {
    EarlyWriteback writeback = new EarlyWriteback(channel, held);
    writeback.written(EarlyWriteback.EVERY);
    writeback.written(EarlyWriteback.EVERY);
    writeback.written(EarlyWriteback.EVERY);
    assertThat(started).hasSize(1);
    started.getFirst().run();
    writeback.written(1);
    assertThat(started).hasSize(2);
  }

  @Test
  void aFailedFlushFailsTheUploadAtTheNextWriteOrAtTheEnd() throws Exception {
    EarlyWriteback writeback = new EarlyWriteback(channel, Runnable::run);
    channel.close();
    writeback.written(EarlyWriteback.EVERY);
    assertThatThrownBy(writeback::await).isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> writeback.written(EarlyWriteback.EVERY)).isInstanceOf(ClosedChannelException.class);
  }

  @Test
  void anUploadThatFailedKeepsItsOwnErrorAndCarriesTheFlushFailure() throws Exception {
    EarlyWriteback writeback = new EarlyWriteback(channel, Runnable::run);
    channel.close();
    writeback.written(EarlyWriteback.EVERY);
    Exception failure = new java.io.IOException("client went away");
    writeback.settle(failure);
    assertThat(failure.getSuppressed()).singleElement().isInstanceOf(ClosedChannelException.class);
  }
}
