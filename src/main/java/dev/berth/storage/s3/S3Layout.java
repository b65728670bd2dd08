package dev.berth.storage.s3;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.oci.InvalidDigestException;
import dev.berth.storage.UploadId;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every object key the S3 store touches is built (and parsed) here. Blobs sit where Docker
 * Registry's {@code s3} driver puts them ({@code <root>/docker/registry/v2/blobs/<alg>/<2 hex>/<hex>/data},
 * the root without its leading slash), so a bucket Docker Registry wrote can be adopted. Staged
 * uploads live in Berth's own area beside them, as on the filesystem: {@code <root>/berth/uploads/<id>/}
 * holds a {@code startedat} marker, the parts written so far ({@code parts/00001}, ...), the running
 * hash after the last chunk ({@code hashstates/sha256}) and, while a commit assembles a multipart
 * upload, a {@code commit} record naming it.
 */
final class S3Layout {
  /** S3 allows 10,000 parts; five digits keep listing order the parts' order. */
  static final int MAX_PARTS = 10_000;

  private final String root;
  private final String blobs;
  private final String uploads;

  S3Layout(String rootDirectory) {
    String trimmed = rootDirectory.replaceAll("^/+", "").replaceAll("/+$", "");
    this.root = trimmed.isEmpty() ? "" : trimmed + "/";
    this.blobs = root + "docker/registry/v2/blobs/";
    this.uploads = root + "berth/uploads/";
  }

  String blobsPrefix() {
    return blobs;
  }

  String blobData(Digest digest) {
    return blobs + digest.algorithm().prefix() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
  }

  /** The digest whose data object {@code key} is; empty for any other key under the blobs prefix. */
  Optional<Digest> blobOf(String key) {
    if (!key.startsWith(blobs) || !key.endsWith("/data")) {
      return Optional.empty();
    }
    String[] segments = key.substring(blobs.length(), key.length() - "/data".length()).split("/");
    if (segments.length != 3) {
      return Optional.empty();
    }
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      if (algorithm.prefix().equals(segments[0]) && segments[2].startsWith(segments[1])) {
        try {
          return Optional.of(new Digest(algorithm, segments[2]));
        } catch (InvalidDigestException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  String uploadsPrefix() {
    return uploads;
  }

  String uploadPrefix(UploadId id) {
    return uploads + id.value() + "/";
  }

  String uploadMarker(UploadId id) {
    return uploadPrefix(id) + "startedat";
  }

  String uploadCommit(UploadId id) {
    return uploadPrefix(id) + "commit";
  }

  String uploadHashState(UploadId id, DigestAlgorithm algorithm) {
    return uploadPrefix(id) + "hashstates/" + algorithm.prefix();
  }

  String uploadPart(UploadId id, int number) {
    if (number < 1 || number > MAX_PARTS) {
      throw new IllegalArgumentException("part number out of range: " + number);
    }
    return uploadPrefix(id) + "parts/" + String.format("%05d", number);
  }

  /** The upload a key under the uploads prefix belongs to. */
  Optional<UploadId> uploadOf(String key) {
    if (!key.startsWith(uploads)) {
      return Optional.empty();
    }
    int slash = key.indexOf('/', uploads.length());
    return UploadId.parse(slash < 0 ? key.substring(uploads.length()) : key.substring(uploads.length(), slash));
  }

  /** The part number of a part key of {@code id}; empty for the upload's other objects. */
  OptionalInt partOf(UploadId id, String key) {
    String parts = uploadPrefix(id) + "parts/";
    if (!key.startsWith(parts) || key.length() != parts.length() + 5) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(key.substring(parts.length())));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
