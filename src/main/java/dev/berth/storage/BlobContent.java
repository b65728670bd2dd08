package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
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

  /**
   * Where a client may fetch the bytes itself (a short-lived pre-signed URL of an object store),
   * when the store offers that and it is enabled; the HTTP layer then answers a GET with a redirect.
   */
  default Optional<URI> redirect() {
    return Optional.empty();
  }

  /**
   * A stream of {@code length} bytes starting at {@code offset}. Throws {@link
   * java.nio.file.NoSuchFileException} when the bytes went away since the blob was opened.
   */
  InputStream openRange(long offset, long length) throws IOException;

  /**
   * The bytes of {@link #openRange} as a channel, for a reader with a direct buffer: a store holding
   * them in memory on their way copies them into it once, where a heap buffer written to a socket is
   * copied again by the JDK.
   */
  default ReadableByteChannel openChannel(long offset, long length) throws IOException {
    return Channels.newChannel(openRange(offset, length));
  }
}
