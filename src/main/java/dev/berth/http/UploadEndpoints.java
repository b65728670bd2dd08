package dev.berth.http;

import dev.berth.metadata.BlobRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.registry.Uploads;
import dev.berth.storage.UploadId;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.jetty.http.HttpHeader;

/** {@code /v2/<name>/blobs/uploads/[<id>]}: start, mount, chunk, status, finish and cancel. */
final class UploadEndpoints {
  private static final String UPLOAD_UUID = "Docker-Upload-UUID";

  private final Uploads uploads;
  private final ExternalUrl externalUrl;

  UploadEndpoints(Uploads uploads, ExternalUrl externalUrl) {
    this.uploads = uploads;
    this.externalUrl = externalUrl;
  }

  /** POST to the upload collection. */
  /** @param mayMountFrom whether the caller may read the repository it asks to mount from */
  void start(Exchange ex, RepositoryName name, java.util.function.Predicate<RepositoryName> mayMountFrom)
      throws IOException {
    if (!"POST".equals(ex.method())) {
      throw V2Handler.methodNotAllowed();
    }
    Optional<String> mount = ex.query("mount");
    Optional<String> from = ex.query("from");
    if (mount.isPresent() && from.isPresent()) {
      ex.route("blob_mount");
      Digest digest = Digest.parse(mount.get());
      RepositoryName source = RepositoryName.of(from.get());
      // A source the caller may not read is treated like one that lacks the blob: a plain upload,
      // which reveals nothing about it.
      Optional<BlobRecord> mounted = mayMountFrom.test(source) ? uploads.mount(name, source, digest) : Optional.empty();
      if (mounted.isPresent()) {
        created(ex, name, digest);
        return;
      }
    }
    Optional<String> digest = ex.query("digest");
    if (digest.isPresent()) {
      ex.route("blob_upload_monolithic");
      Digest expected = Digest.parse(digest.get());
      uploads.putMonolithic(name, expected, ex.body());
      created(ex, name, expected);
      return;
    }
    if (mount.isEmpty()) {
      ex.route("blob_upload_start");
    }
    UploadId id = uploads.start(name);
    progress(ex, name, id, 0, 202);
  }

  /** Requests on one upload session. */
  void session(Exchange ex, RepositoryName name, String rawId) throws IOException {
    UploadId id = UploadId.parse(rawId).orElseThrow(() ->
        new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown to registry", rawId));
    switch (ex.method()) {
      case "GET" -> {
        ex.route("blob_upload_status");
        progress(ex, name, id, uploads.status(name, id), 204);
      }
      case "PATCH" -> {
        ex.route("blob_upload_chunk");
        OptionalLong start = ContentRange.startOf(ex.requestHeader(HttpHeader.CONTENT_RANGE), ex.contentLength());
        long size = uploads.append(name, id, start, ex.body());
        progress(ex, name, id, size, 202);
      }
      case "PUT" -> {
        ex.route("blob_upload_finish");
        String digestParam = ex.query("digest").orElseThrow(() ->
            new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required"));
        Digest digest = Digest.parse(digestParam);
        OptionalLong start = ContentRange.startOf(ex.requestHeader(HttpHeader.CONTENT_RANGE), ex.contentLength());
        uploads.complete(name, id, digest, start, ex.body());
        created(ex, name, digest);
      }
      case "DELETE" -> {
        ex.route("blob_upload_cancel");
        uploads.cancel(name, id);
        ex.empty(204);
      }
      default -> throw V2Handler.methodNotAllowed();
    }
  }

  private void created(Exchange ex, RepositoryName name, Digest digest) throws IOException {
    ex.header(HttpHeader.LOCATION, externalUrl.resolve(ex.request, "/v2/" + name + "/blobs/" + digest));
    ex.header(V2Handler.CONTENT_DIGEST, digest.toString());
    ex.empty(201);
  }

  private void progress(Exchange ex, RepositoryName name, UploadId id, long size, int status) throws IOException {
    ex.header(HttpHeader.LOCATION, externalUrl.resolve(ex.request, "/v2/" + name + "/blobs/uploads/" + id));
    ex.header(UPLOAD_UUID, id.value());
    ex.header(HttpHeader.RANGE, rangeHeader(size));
    ex.empty(status);
  }

  /** Docker Registry answers {@code 0-0} for an empty upload; clients expect that exact form. */
  static String rangeHeader(long size) {
    return "0-" + Math.max(0, size - 1);
  }
}
