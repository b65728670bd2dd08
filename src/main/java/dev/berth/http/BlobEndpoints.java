package dev.berth.http;

import dev.berth.metadata.BlobRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.Blobs;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.storage.BlobContent;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;

/** {@code /v2/<name>/blobs/<digest>}: HEAD, GET (with ranges) and DELETE. */
final class BlobEndpoints {
  private static final int FILE_BUFFER = 128 * 1024;
  private static final int LARGE_BUFFER = 1024 * 1024;

  private final Blobs blobs;
  private final ByteBufferPool.Sized fileBuffers;
  private final ByteBufferPool.Sized largeBuffers;

  BlobEndpoints(Blobs blobs, ByteBufferPool pool) {
    this.blobs = blobs;
    this.fileBuffers = new ByteBufferPool.Sized(pool, true, FILE_BUFFER);
    this.largeBuffers = new ByteBufferPool.Sized(pool, true, LARGE_BUFFER);
  }

  void handle(Exchange ex, RepositoryName name, String reference, String user) throws IOException {
    Digest digest = Digest.parse(reference);
    switch (ex.method()) {
      case "HEAD" -> head(ex, name, digest);
      case "GET" -> get(ex, name, digest);
      case "DELETE" -> delete(ex, name, digest, user);
      default -> throw V2Handler.methodNotAllowed();
    }
  }

  private void head(Exchange ex, RepositoryName name, Digest digest) throws IOException {
    ex.route("blob_head");
    BlobRecord blob = blobs.stat(name, digest);
    blobHeaders(ex, digest);
    ex.response.setStatus(200);
    ex.header(HttpHeader.CONTENT_LENGTH, Long.toString(blob.size()));
    ex.response.write(true, null, ex.detach());
  }

  private void get(Exchange ex, RepositoryName name, Digest digest) throws IOException {
    ex.route("blob_get");
    BlobContent content = blobs.open(name, digest);
    blobHeaders(ex, digest);
    Optional<URI> redirect = content.redirect();
    if (redirect.isPresent()) {
      // The object store serves the bytes (and any Range) itself; Berth only checked the client may have them.
      ex.header(HttpHeader.LOCATION, redirect.get().toString());
      ex.empty(307);
      return;
    }
    long size = content.size();
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(ex.requestHeader(HttpHeader.RANGE), size);
    } catch (ByteRange.Unsatisfiable e) {
      ex.header(HttpHeader.CONTENT_RANGE, "bytes */" + size);
      ex.empty(416);
      return;
    }
    long first = range.map(ByteRange::first).orElse(0L);
    long length = range.map(ByteRange::length).orElse(size);
    if (range.isPresent()) {
      ex.response.setStatus(206);
      ex.header(HttpHeader.CONTENT_RANGE, "bytes " + first + "-" + (first + length - 1) + "/" + size);
    } else {
      ex.response.setStatus(200);
    }
    ex.header(HttpHeader.CONTENT_LENGTH, Long.toString(length));
    Optional<Path> file = content.localFile();
    if (file.isPresent()) {
      sendFile(ex, digest, file.get(), first, length);
    } else {
      sendStream(ex, digest, content, first, length);
    }
  }

  /**
   * A store without local files (object storage): its channel copies into a direct buffer, written
   * as is (a heap buffer is copied again by the JDK on every partial write), up to 1 MiB at a time.
   */
  private void sendStream(Exchange ex, Digest digest, BlobContent content, long first, long length) throws IOException {
    ReadableByteChannel channel;
    try {
      channel = content.openChannel(first, length);
    } catch (NoSuchFileException e) {
      throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", digest.toString());
    }
    RetainableByteBuffer buffer = (length <= FILE_BUFFER ? fileBuffers : largeBuffers).acquire();
    try (channel) {
      ByteBuffer bytes = buffer.getByteBuffer();
      long sent = 0;
      do {
        bytes.clear().limit((int) Math.min(bytes.capacity(), length - sent));
        while (bytes.hasRemaining()) {
          if (channel.read(bytes) < 0) {
            throw new EOFException("blob " + digest + " shorter in storage than recorded");
          }
        }
        bytes.flip();
        sent += bytes.remaining();
        ex.write(sent == length, bytes);
      } while (sent < length);
      ex.complete();
    } finally {
      buffer.release();
    }
  }

  /**
   * The file in a blocking loop of reads and writes on the request's virtual thread: fewer, larger
   * system calls and none of the callback machinery of Jetty's resource copier. Small blobs
   * (configs, small layers) take one read and one write from a small buffer, larger ones 1 MiB at
   * a time.
   */
  private void sendFile(Exchange ex, Digest digest, Path file, long first, long length) throws IOException {
    RetainableByteBuffer buffer = (length <= FILE_BUFFER ? fileBuffers : largeBuffers).acquire();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer bytes = buffer.getByteBuffer();
      long end = first + length;
      long position = first;
      do {
        bytes.clear().limit((int) Math.min(bytes.capacity(), end - position));
        while (bytes.hasRemaining()) {
          if (channel.read(bytes, position + bytes.position()) < 0) {
            throw new EOFException("blob file shorter than recorded: " + file);
          }
        }
        bytes.flip();
        position += bytes.remaining();
        ex.write(position == end, bytes);
      } while (position < end);
      ex.complete();
    } catch (NoSuchFileException e) {
      // Collected between the metadata check and the open: the client retries like after any 404.
      throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", digest.toString());
    } finally {
      buffer.release();
    }
  }

  private void delete(Exchange ex, RepositoryName name, Digest digest, String user) throws IOException {
    ex.route("blob_delete");
    blobs.unlink(name, digest, Exchange.actor(ex, user));
    ex.empty(202);
  }

  private static void blobHeaders(Exchange ex, Digest digest) {
    ex.header(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    ex.header(V2Handler.CONTENT_DIGEST, digest.toString());
    ex.header(HttpHeader.ETAG, "\"" + digest + "\"");
    ex.header(HttpHeader.ACCEPT_RANGES, "bytes");
    ex.header(HttpHeader.CACHE_CONTROL, "max-age=31536000");
  }
}
