package dev.berth.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads an object's body on a thread of its own, up to a few blocks ahead of the reader, so that the
 * object store's response keeps flowing while the reader writes to its client: read and write taking
 * turns on one thread left each side idle while the other ran (bench/results/s3-20261207-vm.md). A
 * platform thread, because its blocking reads are plain read calls, where a virtual thread's park
 * and register with the poller each time the socket has nothing yet: a 512 MiB GET used 1.27 s of
 * server CPU per GB and ran at 0.80 of Docker Registry's rate with it, 1.61 s and 0.58 with a virtual
 * thread. The blocks are reused: a reader holds at most {@code blocks} of them, however long the
 * object, and gives them back to the pool once the body ended (after a failure or an early close
 * the read-ahead thread may still be writing into one, so they are left to the garbage collector).
 *
 * <p>Also a channel: a reader with a direct buffer gets the bytes copied once, straight from a block,
 * where a heap buffer handed to a socket is copied again by the JDK, once per partial write.
 */
final class ReadAheadStream extends InputStream implements ReadableByteChannel {
  /** One block read, or how the source failed (then bytes is null). */
  private record Block(byte[] bytes, int length, IOException failure) {}

  private static final Block END = new Block(new byte[0], 0, null);

  private final BlockPool pool;
  private final BlockingQueue<byte[]> free;
  private final BlockingQueue<Block> filled;
  private final Thread reader;
  private Block current;
  private int position;
  private boolean ended;
  private boolean closed;

  /** {@code abort} drops the source's connection when the reader stops early, instead of draining it. */
  ReadAheadStream(InputStream source, Runnable abort, BlockPool pool, int blocks) {
    this.pool = pool;
    this.free = new ArrayBlockingQueue<>(blocks);
    this.filled = new ArrayBlockingQueue<>(blocks + 1);
    for (int i = 0; i < blocks; i++) {
      free.add(pool.take());
    }
    this.reader = Thread.ofPlatform().daemon().name("berth-s3-read-ahead").start(() -> pump(source, abort));
  }

  private void pump(InputStream source, Runnable abort) {
    try (source) {
      while (true) {
        byte[] block = free.take();
        int length = source.readNBytes(block, 0, block.length);
        if (length > 0) {
          filled.put(new Block(block, length, null));
        } else {
          free.add(block);
        }
        if (length < block.length) {
          filled.put(END);
          return;
        }
      }
    } catch (InterruptedException e) {
      abort.run();
    } catch (IOException | RuntimeException e) {
      // Always room: at most `blocks` blocks wait in `filled`, whose capacity is one more.
      filled.offer(new Block(null, 0, e instanceof IOException io ? io : new IOException(e)));
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!hasBlock()) {
      return -1;
    }
    int n = Math.min(len, current.length() - position);
    System.arraycopy(current.bytes(), position, b, off, n);
    consumed(n);
    return n;
  }

  @Override
  public int read(ByteBuffer destination) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (!destination.hasRemaining()) {
      return 0;
    }
    if (!hasBlock()) {
      return -1;
    }
    int n = Math.min(destination.remaining(), current.length() - position);
    destination.put(current.bytes(), position, n);
    consumed(n);
    return n;
  }

  /** Makes {@code current} a block with bytes left; false at the end. */
  private boolean hasBlock() throws IOException {
    if (current == null) {
      if (ended) {
        return false;
      }
      current = next();
      position = 0;
      if (current == END) {
        ended = true;
        current = null;
        // The read-ahead thread put every block back before the end.
        for (byte[] block; (block = free.poll()) != null; ) {
          pool.give(block);
        }
        return false;
      }
    }
    return true;
  }

  private void consumed(int n) {
    position += n;
    if (position == current.length()) {
      free.add(current.bytes());
      current = null;
    }
  }

  private Block next() throws IOException {
    Block block;
    try {
      block = filled.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading an object");
    }
    if (block.failure() != null) {
      throw block.failure();
    }
    return block;
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() {
    closed = true;
    reader.interrupt();
  }
}
