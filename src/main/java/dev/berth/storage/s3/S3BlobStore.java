package dev.berth.storage.s3;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.storage.BlobContent;
import dev.berth.storage.BlobStore;
import dev.berth.storage.NoSuchUploadException;
import dev.berth.storage.StorageUnavailableException;
import dev.berth.storage.UploadId;
import dev.berth.storage.UploadOffsetException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PushbackInputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Blobs in an S3 bucket, in Docker Registry's key layout ({@link S3Layout}).
 *
 * <p>An upload is staged as plain objects: every part but the last holds exactly {@code chunkSize}
 * bytes, the last fewer; a chunk that ends inside a part rewrites that part with the chunk's bytes
 * appended (S3 has no append). So an upload's state is whatever the bucket holds, readable by any
 * process, and it moves from one consistent state to the next with each single-object write: a
 * failure mid-chunk leaves the parts written so far, a prefix of the upload. At most one part is
 * in memory per upload.
 *
 * <p>The blob appears at its key in one step, only at commit, after the caller verified the digest:
 * one part is copied to the key; several become a multipart upload at the key whose parts are
 * server-side copies of the staged ones, visible when it completes. A reader never sees a partial
 * object, and a metadata row is only written after the commit returned.
 */
public final class S3BlobStore implements BlobStore {
  /** Part copies at commit run this many at a time: each is a server-side copy of one part. */
  private static final int COPY_CONCURRENCY = 8;
  private static final int DELETE_BATCH = 1000;
  private static final int DIRECT_WRITE_LIMIT = 1 << 20;
  /**
   * Parts of a streamed blob being written while the next one fills from the request: the client's
   * bytes keep arriving during each part's PUT, at the cost of this many parts more in memory.
   */
  private static final int PARTS_IN_FLIGHT = 2;
  /** A GET longer than one block reads ahead of its client by up to this many (1 MiB per GET). */
  private static final int READ_AHEAD_BLOCK = 256 * 1024;
  private static final int READ_AHEAD_BLOCKS = 4;
  /**
   * Read-ahead blocks kept for the next GETs: 16 GETs' worth (16 MiB), so that GETs do not each
   * allocate theirs (1 MiB per GET of more than one block).
   */
  private static final int BLOCKS_KEPT = 16 * READ_AHEAD_BLOCKS;

  private final S3Client s3;
  private final Optional<S3Presigner> presigner;
  private final String bucket;
  private final S3Layout layout;
  private final long chunkSize;
  private final Optional<Duration> redirect;
  private final BlockPool blocks = new BlockPool(READ_AHEAD_BLOCK, BLOCKS_KEPT);

  private S3BlobStore(S3Client s3, Optional<S3Presigner> presigner, S3Settings settings) {
    this.s3 = s3;
    this.presigner = presigner;
    this.bucket = settings.bucket();
    this.layout = new S3Layout(settings.rootDirectory());
    this.chunkSize = settings.chunkSize();
    this.redirect = settings.redirect();
  }

  /** Connects to the bucket (no request is made until the first use). */
  public static S3BlobStore open(S3Settings settings) {
    Region region = Region.of(settings.region());
    AwsCredentialsProvider credentials = settings.credentials()
        .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey())))
        .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    var builder = S3Client.builder()
        .region(region)
        .credentialsProvider(credentials)
        .forcePathStyle(settings.forcePathStyle())
        .httpClientBuilder(Apache5HttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(60))
            // Idle connections go before servers drop them (AWS S3 after about 20 s, Jetty after 30 s):
            // a PUT sent on a connection the server closed fails, and its retries may meet the same.
            .connectionMaxIdleTime(Duration.ofSeconds(10))
            // Uploads, GETs and a commit's 8 part copies at a time share the pool.
            .maxConnections(128))
        // Checksums beyond what S3 requires cost CPU on every byte and are not understood by every
        // S3-compatible store; the registry verifies each blob's digest itself.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    settings.endpoint().ifPresent(builder::endpointOverride);
    Optional<S3Presigner> presigner = settings.redirect().map(ttl -> {
      var presign = S3Presigner.builder()
          .region(region)
          .credentialsProvider(credentials)
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.forcePathStyle()).build());
      settings.endpoint().ifPresent(presign::endpointOverride);
      return presign.build();
    });
    return new S3BlobStore(builder.build(), presigner, settings);
  }

  @Override
  public Optional<Long> stat(Digest digest) throws IOException {
    String key = layout.blobData(digest);
    return unlessMissing("HEAD " + key, () -> s3.headObject(b -> b.bucket(bucket).key(key)).contentLength());
  }

  @Override
  public Optional<BlobContent> open(Digest digest) throws IOException {
    String key = layout.blobData(digest);
    return stat(digest).map(size -> new ObjectContent(key, size));
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    if (stat(digest).isEmpty()) {
      return false;
    }
    String key = layout.blobData(digest);
    call("DELETE " + key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    return true;
  }

  @Override
  public void forEachBlob(Consumer<Digest> action) throws IOException {
    call("LIST " + layout.blobsPrefix(), () -> {
      for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(layout.blobsPrefix())).contents()) {
        layout.blobOf(object.key()).ifPresent(action);
      }
      return null;
    });
  }

  @Override
  public void createUpload(UploadId id) throws IOException {
    String key = layout.uploadMarker(id);
    call("PUT " + key, () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.empty()));
  }

  @Override
  public long appendUpload(UploadId id, long offset, InputStream data)
      throws IOException, NoSuchUploadException, UploadOffsetException {
    Staged staged = staged(id);
    long size = staged.size();
    if (size != offset) {
      throw new UploadOffsetException(size);
    }
    PushbackInputStream in = new PushbackInputStream(data, 1);
    int first = in.read();
    if (first < 0) {
      return size;
    }
    in.unread(first);
    PartBuffer buffer = new PartBuffer(chunkSize);
    List<S3Object> parts = staged.parts();
    int part;
    long carried = 0;
    if (!parts.isEmpty() && parts.getLast().size() < chunkSize) {
      // The last part is short: it grows by this chunk's bytes, written again whole.
      part = parts.size();
      try (InputStream previous = get(parts.getLast().key(), Optional.empty())) {
        carried = buffer.fill(previous);
      } catch (NoSuchFileException e) {
        throw new NoSuchUploadException(id);
      }
    } else {
      part = parts.size() + 1;
    }
    long appended = -carried;
    while (true) {
      buffer.fill(in);
      if (buffer.size() > 0) {
        putPart(id, part, buffer);
        appended += buffer.size();
      }
      if (!buffer.isFull()) {
        return offset + appended;
      }
      buffer.clear();
      part++;
    }
  }

  private void putPart(UploadId id, int part, PartBuffer buffer) throws IOException {
    if (part > S3Layout.MAX_PARTS) {
      throw new IOException("upload " + id + " exceeds S3's " + S3Layout.MAX_PARTS + " parts; raise storage.s3.chunksize");
    }
    String key = layout.uploadPart(id, part);
    call("PUT " + key, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentLength(buffer.size()),
        RequestBody.fromContentProvider(buffer::stream, buffer.size(), "application/octet-stream")));
  }

  @Override
  public long uploadSize(UploadId id) throws IOException, NoSuchUploadException {
    return staged(id).size();
  }

  @Override
  public InputStream readUpload(UploadId id) throws IOException, NoSuchUploadException {
    Iterator<S3Object> parts = staged(id).parts().iterator();
    return new SequenceInputStream(new java.util.Enumeration<InputStream>() {
      @Override
      public boolean hasMoreElements() {
        return parts.hasNext();
      }

      @Override
      public InputStream nextElement() {
        return new LazyStream(() -> get(parts.next().key(), Optional.empty()));
      }
    });
  }

  @Override
  public void saveHashState(UploadId id, DigestAlgorithm algorithm, byte[] state) throws IOException {
    String key = layout.uploadHashState(id, algorithm);
    call("PUT " + key, () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(state)));
  }

  @Override
  public Optional<byte[]> hashState(UploadId id, DigestAlgorithm algorithm) throws IOException {
    try (InputStream in = get(layout.uploadHashState(id, algorithm), Optional.empty())) {
      return Optional.of(in.readAllBytes());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void commitUpload(UploadId id, Digest digest) throws IOException, NoSuchUploadException {
    Staged upload = staged(id);
    List<S3Object> parts = upload.parts();
    String target = layout.blobData(digest);
    List<String> staged = new ArrayList<>(upload.keys());
    try {
      switch (parts.size()) {
        case 0 -> call("PUT " + target, () -> s3.putObject(b -> b.bucket(bucket).key(target), RequestBody.empty()));
        // Copying over an existing copy replaces it with the same bytes in one step, so a small
        // blob needs no HEAD first to be stored once.
        case 1 -> copy(parts.getFirst().key(), target);
        default -> {
          // Identical content is stored once; the digest was verified, so an existing copy is equal.
          if (stat(digest).isEmpty()) {
            assemble(id, parts, target);
            staged.add(layout.uploadCommit(id));
          }
        }
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchUploadException(id);
    }
    deleteObjects(layout.uploadPrefix(id), staged);
  }

  /**
   * Small blobs skip staging: verified in memory by the caller, they are one PUT at their key
   * (seven requests fewer), which S3 makes visible whole or not at all. 1 MiB: most layers of
   * small images and every config and manifest-sized blob; a larger body costs the caller that
   * much memory before it falls back to staging.
   */
  @Override
  public int directWriteLimit() {
    return DIRECT_WRITE_LIMIT;
  }

  @Override
  public void writeBlob(Digest digest, byte[] content) throws IOException {
    String key = layout.blobData(digest);
    call("PUT " + key, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) content.length),
        RequestBody.fromContentProvider(() -> new java.io.ByteArrayInputStream(content), content.length,
            "application/octet-stream")));
  }

  /**
   * A blob of more than one part becomes a multipart upload at its own key, its parts written as
   * they fill from the request ({@link #PARTS_IN_FLIGHT} at a time), completed only on commit: S3
   * shows nothing at the key before that, and the bytes are written once instead of staged and
   * copied. The upload's id is recorded in an upload area first, so that a process dying before it
   * completes or aborts leaves it to the upload purge. A blob of one part waits in memory for its
   * single PutObject.
   */
  @Override
  public PendingBlob stageBlob(Digest digest, InputStream content) throws IOException {
    String target = layout.blobData(digest);
    PushbackInputStream in = new PushbackInputStream(content, 1);
    PartBuffer first = new PartBuffer(chunkSize);
    first.fill(in);
    if (!first.isFull() || !hasMore(in)) {
      return new PendingBlob() {
        @Override
        public void commit() throws IOException {
          call("PUT " + target, () -> s3.putObject(b -> b.bucket(bucket).key(target).contentLength(first.size()),
              RequestBody.fromContentProvider(first::stream, first.size(), "application/octet-stream")));
        }

        @Override
        public void close() {
          first.clear();
        }
      };
    }
    UploadId id = UploadId.random();
    String record = layout.uploadCommit(id);
    String multipart = startRecordedMultipart(id, target);
    try {
      List<CompletedPart> parts = uploadParts(target, multipart, first, in);
      return new PendingBlob() {
        private boolean done;

        @Override
        public void commit() throws IOException {
          call("COMPLETE MULTIPART " + target, () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(target)
              .uploadId(multipart).multipartUpload(m -> m.parts(parts))));
          done = true;
          deleteObjects(layout.uploadPrefix(id), List.of(record));
        }

        @Override
        public void close() throws IOException {
          if (!done) {
            done = true;
            abort(target, multipart);
            deleteObjects(layout.uploadPrefix(id), List.of(record));
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      abortAfter(e, target, multipart);
      try {
        deleteObjects(layout.uploadPrefix(id), List.of(record));
      } catch (IOException cleanupFailure) {
        e.addSuppressed(cleanupFailure);
      }
      throw e;
    }
  }

  /** Whether the stream has another byte; a stream that just filled a part may have ended there. */
  private static boolean hasMore(PushbackInputStream in) throws IOException {
    int next = in.read();
    if (next < 0) {
      return false;
    }
    in.unread(next);
    return true;
  }

  private List<CompletedPart> uploadParts(String target, String multipart, PartBuffer first, InputStream content)
      throws IOException {
    List<Future<CompletedPart>> written = new ArrayList<>();
    Semaphore inFlight = new Semaphore(PARTS_IN_FLIGHT);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      PartBuffer buffer = first;
      for (int number = 1; buffer.size() > 0; number++) {
        if (number > S3Layout.MAX_PARTS) {
          throw new IOException("blob exceeds S3's " + S3Layout.MAX_PARTS + " parts; raise storage.s3.chunksize");
        }
        inFlight.acquire();
        int part = number;
        PartBuffer bytes = buffer;
        written.add(pool.submit(() -> {
          try {
            String etag = call("PUT PART " + part + " of " + target, () -> s3.uploadPart(b -> b.bucket(bucket)
                    .key(target).uploadId(multipart).partNumber(part).contentLength(bytes.size()),
                RequestBody.fromContentProvider(bytes::stream, bytes.size(), "application/octet-stream"))).eTag();
            return CompletedPart.builder().partNumber(part).eTag(etag).build();
          } finally {
            bytes.clear();
            inFlight.release();
          }
        }));
        failure(written);
        if (!buffer.isFull()) {
          break;
        }
        buffer = new PartBuffer(chunkSize);
        buffer.fill(content);
      }
      List<CompletedPart> parts = new ArrayList<>(written.size());
      for (Future<CompletedPart> part : written) {
        parts.add(part.get());
      }
      return parts;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing " + target);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("cannot write " + target, e.getCause());
    }
  }

  /** Stops reading the request as soon as a part failed, rather than after the last one. */
  private static void failure(List<Future<CompletedPart>> written) throws ExecutionException, InterruptedException {
    for (Future<CompletedPart> part : written) {
      if (part.state() == Future.State.FAILED) {
        part.get();
      }
    }
  }

  private void copy(String source, String target) throws IOException {
    String what = "COPY " + source + " to " + target;
    if (unlessMissing(what, () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(source)
        .destinationBucket(bucket).destinationKey(target))).isEmpty()) {
      throw new NoSuchFileException(source);
    }
  }

  /**
   * Starts a multipart upload at {@code target} and records its id in upload {@code id}'s area, so
   * that if this process dies before the multipart upload completes or is aborted, purging the
   * upload aborts it (S3 keeps, and bills, an abandoned one forever).
   */
  private String startRecordedMultipart(UploadId id, String target) throws IOException {
    String multipart = call("CREATE MULTIPART " + target,
        () -> s3.createMultipartUpload(b -> b.bucket(bucket).key(target)).uploadId());
    String record = layout.uploadCommit(id);
    try {
      call("PUT " + record, () -> s3.putObject(b -> b.bucket(bucket).key(record),
          RequestBody.fromString(target + "\n" + multipart)));
      return multipart;
    } catch (IOException | RuntimeException e) {
      abortAfter(e, target, multipart);
      throw e;
    }
  }

  /** A multipart upload at the blob's key from server-side copies of the staged parts. */
  private void assemble(UploadId id, List<S3Object> parts, String target) throws IOException {
    String multipart = startRecordedMultipart(id, target);
    try {
      List<CompletedPart> completed = copyParts(multipart, parts, target);
      call("COMPLETE MULTIPART " + target, () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(target)
          .uploadId(multipart).multipartUpload(m -> m.parts(completed))));
    } catch (IOException | RuntimeException e) {
      abortAfter(e, target, multipart);
      throw e;
    }
  }

  private List<CompletedPart> copyParts(String multipart, List<S3Object> parts, String target) throws IOException {
    CompletedPart[] completed = new CompletedPart[parts.size()];
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Void>> workers = new ArrayList<>();
      for (int w = 0; w < Math.min(COPY_CONCURRENCY, parts.size()); w++) {
        workers.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < parts.size(); i = next.getAndIncrement()) {
            int number = i + 1;
            String source = parts.get(i).key();
            String etag = unlessMissing("COPY PART " + source, () -> s3.uploadPartCopy(b -> b.sourceBucket(bucket)
                    .sourceKey(source).destinationBucket(bucket).destinationKey(target)
                    .uploadId(multipart).partNumber(number)).copyPartResult().eTag())
                .orElseThrow(() -> new NoSuchFileException(source));
            completed[i] = CompletedPart.builder().partNumber(number).eTag(etag).build();
          }
          return null;
        }));
      }
      for (Future<Void> worker : workers) {
        worker.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while assembling " + target);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("cannot assemble " + target, e.getCause());
    }
    return List.of(completed);
  }

  /** Aborts a multipart upload that {@code failure} left unfinished; a failure to abort goes with it. */
  private void abortAfter(Exception failure, String key, String multipart) {
    try {
      abort(key, multipart);
    } catch (IOException abortFailure) {
      failure.addSuppressed(abortFailure);
    }
  }

  private void abort(String key, String multipart) throws IOException {
    // Already completed or aborted: nothing left to abort.
    unlessMissing("ABORT MULTIPART " + key,
        () -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(multipart)));
  }

  @Override
  public boolean deleteUpload(UploadId id) throws IOException {
    String prefix = layout.uploadPrefix(id);
    List<String> keys = call("LIST " + prefix, () -> s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))
        .contents().stream().map(S3Object::key).toList());
    if (keys.isEmpty()) {
      return false;
    }
    String record = layout.uploadCommit(id);
    if (keys.contains(record)) {
      try (InputStream in = get(record, Optional.empty())) {
        String[] named = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", 2);
        abort(named[0], named[1]);
      } catch (NoSuchFileException e) {
        // The commit finished meanwhile and took its record away.
      }
    }
    deleteObjects(prefix, keys);
    return true;
  }

  /**
   * Deletes an upload's objects. One that fails to go leaves the upload listed by {@link
   * #forEachUpload} (any object under its prefix is), so the next purge finishes the job.
   */
  private void deleteObjects(String prefix, List<String> keys) throws IOException {
    for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
      List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH)).stream()
          .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      var response = call("DELETE " + batch.size() + " objects under " + prefix,
          () -> s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true))));
      if (response.hasErrors() && !response.errors().isEmpty()) {
        throw new StorageUnavailableException("object store: DELETE under " + prefix + " failed: "
            + response.errors().getFirst().key() + ": " + response.errors().getFirst().message(), null);
      }
    }
  }

  @Override
  public void forEachUpload(UploadVisitor visitor) throws IOException {
    UploadId current = null;
    Instant latest = null;
    Iterator<S3Object> objects = call("LIST " + layout.uploadsPrefix(),
        () -> s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(layout.uploadsPrefix())).contents().iterator());
    // Listing is in key order, so each upload's objects come together; its last change is the latest of them.
    while (call("LIST " + layout.uploadsPrefix(), objects::hasNext)) {
      S3Object object = objects.next();
      Optional<UploadId> id = layout.uploadOf(object.key());
      if (id.isEmpty()) {
        continue;
      }
      if (!id.get().equals(current)) {
        if (current != null) {
          visitor.visit(current, latest);
        }
        current = id.get();
        latest = object.lastModified();
      } else if (object.lastModified().isAfter(latest)) {
        latest = object.lastModified();
      }
    }
    if (current != null) {
      visitor.visit(current, latest);
    }
  }

  @Override
  public void close() {
    presigner.ifPresent(S3Presigner::close);
    s3.close();
  }

  /** What the bucket holds of an upload (its parts in order), when its marker says it exists. */
  private Staged staged(UploadId id) throws IOException, NoSuchUploadException {
    String prefix = layout.uploadPrefix(id);
    List<S3Object> objects = call("LIST " + prefix,
        () -> s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().toList());
    boolean started = false;
    List<S3Object> parts = new ArrayList<>();
    for (S3Object object : objects) {
      if (object.key().equals(layout.uploadMarker(id))) {
        started = true;
      }
      OptionalInt part = layout.partOf(id, object.key());
      if (part.isPresent()) {
        if (part.getAsInt() != parts.size() + 1) {
          throw new IOException("upload " + id + " lacks part " + (parts.size() + 1));
        }
        parts.add(object);
      }
    }
    if (!started) {
      throw new NoSuchUploadException(id);
    }
    return new Staged(parts, objects.stream().map(S3Object::key).toList());
  }

  /** @param keys every object under the upload's prefix, the parts among them */
  private record Staged(List<S3Object> parts, List<String> keys) {
    long size() {
      return parts.stream().mapToLong(S3Object::size).sum();
    }
  }

  /** An object's bytes, or the given range of them; NoSuchFileException when it does not exist. */
  private InputStream get(String key, Optional<String> range) throws IOException {
    return new Translating(response(key, range));
  }

  private ResponseInputStream<GetObjectResponse> response(String key, Optional<String> range) throws IOException {
    return unlessMissing("GET " + key, () -> s3.getObject(b -> b.bucket(bucket).key(key).range(range.orElse(null))))
        .orElseThrow(() -> new NoSuchFileException(key));
  }

  private <T> T call(String what, Supplier<T> request) throws StorageUnavailableException {
    try {
      return request.get();
    } catch (SdkException e) {
      throw unavailable(what, e);
    }
  }

  private <T> Optional<T> unlessMissing(String what, Supplier<T> request) throws StorageUnavailableException {
    try {
      return Optional.of(request.get());
    } catch (SdkException e) {
      if (e instanceof S3Exception s && s.statusCode() == 404) {
        return Optional.empty();
      }
      throw unavailable(what, e);
    }
  }

  private static StorageUnavailableException unavailable(String what, SdkException e) {
    return new StorageUnavailableException("object store: " + what + " failed: " + e.getMessage(), e);
  }

  private final class ObjectContent implements BlobContent {
    private final String key;
    private final long size;

    ObjectContent(String key, long size) {
      this.key = key;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public Optional<java.nio.file.Path> localFile() {
      return Optional.empty();
    }

    @Override
    public Optional<URI> redirect() {
      return presigner.map(p -> {
        try {
          return p.presignGetObject(r -> r.signatureDuration(redirect.orElseThrow())
              .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
        } catch (URISyntaxException e) {
          throw new IllegalStateException("the SDK pre-signed an invalid URL", e);
        }
      });
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
      if (length == 0) {
        return InputStream.nullInputStream();
      }
      Optional<String> range = range(offset, length);
      if (length <= READ_AHEAD_BLOCK) {
        return get(key, range);
      }
      return readAhead(range);
    }

    @Override
    public ReadableByteChannel openChannel(long offset, long length) throws IOException {
      if (length <= READ_AHEAD_BLOCK) {
        return Channels.newChannel(openRange(offset, length));
      }
      return readAhead(range(offset, length));
    }

    private ReadAheadStream readAhead(Optional<String> range) throws IOException {
      ResponseInputStream<GetObjectResponse> response = response(key, range);
      return new ReadAheadStream(new Translating(response), response::abort, blocks, READ_AHEAD_BLOCKS);
    }
  }

  private static Optional<String> range(long offset, long length) {
    return Optional.of("bytes=" + offset + "-" + (offset + length - 1));
  }

  /** The SDK reports failures while a body streams as unchecked exceptions; callers expect IOException. */
  private static final class Translating extends FilterInputStream {
    Translating(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (SdkException e) {
        throw unavailable("reading an object", e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (SdkException e) {
        throw unavailable("reading an object", e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } catch (SdkException e) {
        throw unavailable("closing an object", e);
      }
    }
  }

  /** Opens its stream on first read, so a sequence of parts holds one connection at a time. */
  private static final class LazyStream extends InputStream {
    private final Opener opener;
    private InputStream in;

    LazyStream(Opener opener) {
      this.opener = opener;
    }

    private InputStream in() throws IOException {
      if (in == null) {
        in = opener.open();
      }
      return in;
    }

    @Override
    public int read() throws IOException {
      return in().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }

  @FunctionalInterface
  private interface Opener {
    InputStream open() throws IOException;
  }
}
