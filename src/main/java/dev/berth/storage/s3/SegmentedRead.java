package dev.berth.storage.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;

/**
 * A long range of one object read as consecutive segments, several at once, each by a ranged GET
 * of its own on its own read-ahead thread, and handed to the reader in order: one response from the
 * object store runs at the pace of one connection, and the next segments arrive meanwhile.
 *
 * <p>Memory is bounded store-wide: a segment read in parallel holds all its bytes until the reader is
 * done with it, so it takes one permit of the store's {@code budget}, given back when the reader
 * moves past it or closes. When no permit is free, the rest of the range is one GET read a few
 * blocks ahead: a busy server degrades to sequential reads, never to waiting for memory.
 */
final class SegmentedRead extends InputStream implements ReadableByteChannel {
  /** Opens one ranged GET; called on the read-ahead threads, and for the first range on the caller's. */
  @FunctionalInterface
  interface Ranges {
    ReadAheadStream.Body open(long offset, long length) throws IOException;
  }

  /**
   * @param segment bytes per segment read in parallel
   * @param segments segments open at once, the one being read included
   * @param block bytes per read-ahead block
   * @param blocks blocks read ahead of a sequential read
   */
  record Shape(long segment, int segments, int block, int blocks) {}

  private static final class Segment {
    final ReadAheadStream stream;
    final boolean budgeted;
    long left;

    Segment(ReadAheadStream stream, long length, boolean budgeted) {
      this.stream = stream;
      this.left = length;
      this.budgeted = budgeted;
    }
  }

  @FunctionalInterface
  private interface Read {
    int from(ReadAheadStream stream) throws IOException;
  }

  private final Ranges ranges;
  private final Shape shape;
  private final Semaphore budget;
  private final long end;
  private final ArrayDeque<Segment> open = new ArrayDeque<>();
  /** The first byte no segment covers yet. */
  private long next;
  private boolean closed;

  /** Opens the first GET before returning, so that a missing object fails here and not on a read. */
  SegmentedRead(Ranges ranges, long offset, long length, Shape shape, Semaphore budget) throws IOException {
    this.ranges = ranges;
    this.shape = shape;
    this.budget = budget;
    this.next = offset;
    this.end = offset + length;
    boolean budgeted = budget.tryAcquire();
    long first = budgeted ? Math.min(shape.segment(), length) : length;
    ReadAheadStream.Body body;
    try {
      body = ranges.open(offset, first);
    } catch (IOException | RuntimeException e) {
      if (budgeted) {
        budget.release();
      }
      throw e;
    }
    add(() -> body, first, budgeted);
    fill();
  }

  private void add(ReadAheadStream.Opener opener, long length, boolean budgeted) {
    int blocks = budgeted ? (int) ((length + shape.block() - 1) / shape.block()) : shape.blocks();
    open.add(new Segment(new ReadAheadStream(opener, shape.block(), blocks), length, budgeted));
    next += length;
  }

  /** Opens the next segments while permits allow. */
  private void fill() {
    while (open.size() < shape.segments() && next < end && budget.tryAcquire()) {
      long from = next;
      long length = Math.min(shape.segment(), end - next);
      add(() -> ranges.open(from, length), length, true);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return len == 0 ? 0 : read(stream -> stream.read(b, off, len));
  }

  @Override
  public int read(ByteBuffer destination) throws IOException {
    return destination.hasRemaining() ? read(stream -> stream.read(destination)) : 0;
  }

  private int read(Read read) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    while (true) {
      if (open.isEmpty()) {
        if (next == end) {
          return -1;
        }
        fill();
        if (open.isEmpty()) {
          long from = next;
          long length = end - next;
          add(() -> ranges.open(from, length), length, false);
        }
      }
      Segment head = open.peek();
      int n = read.from(head.stream);
      if (n >= 0) {
        head.left -= n;
        fill();
        return n;
      }
      if (head.left != 0) {
        throw new EOFException("object ended " + head.left + " bytes before the range read");
      }
      retire(open.poll());
    }
  }

  private void retire(Segment segment) {
    segment.stream.close();
    if (segment.budgeted) {
      budget.release();
    }
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  /** Drops every segment still open, its connection and its permit with it. */
  @Override
  public void close() {
    closed = true;
    while (!open.isEmpty()) {
      retire(open.poll());
    }
  }
}
