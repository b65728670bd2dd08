package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/** Stored bytes of one blob, opened for reading. */
public interface BlobContent {

  long size();

  /**
   * A local file holding the bytes, when the store has one, so that the HTTP layer can send it
   * without copying through the heap.
   */
  Optional<Path> localFile();

  /** A stream of {@code length} bytes starting at {@code offset}. */
  InputStream openRange(long offset, long length) throws IOException;
}
