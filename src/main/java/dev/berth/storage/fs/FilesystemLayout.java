package dev.berth.storage.fs;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.storage.UploadId;
import java.nio.file.Path;

/**
 * Every path the filesystem store touches is built here. Blobs sit where Docker Registry puts them
 * ({@code docker/registry/v2/blobs/<alg>/<2 hex>/<hex>/data}) so an existing registry's blobs can
 * be adopted in place; staged uploads live in Berth's own area beside them. Docker Registry's
 * repositories tree beside the blobs is only ever read.
 */
final class FilesystemLayout {

  private final Path root;
  private final Path blobs;
  private final Path uploads;
  private final Path repositories;

  FilesystemLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.blobs = this.root.resolve("docker/registry/v2/blobs");
    this.uploads = this.root.resolve("berth/uploads");
    this.repositories = this.root.resolve("docker/registry/v2/repositories");
  }

  Path root() {
    return root;
  }

  Path blobsRoot() {
    return blobs;
  }

  Path uploadsRoot() {
    return uploads;
  }

  /** Docker Registry's own metadata, which Berth reads only to adopt a root ({@link FilesystemRegistryTree}). */
  Path repositoriesRoot() {
    return repositories;
  }

  Path layerLinks(Path repository) {
    return repository.resolve("_layers");
  }

  Path revisionLinks(Path repository) {
    return repository.resolve("_manifests/revisions");
  }

  Path tagLinks(Path repository) {
    return repository.resolve("_manifests/tags");
  }

  Path currentTagLink(Path tagDirectory) {
    return tagDirectory.resolve("current/link");
  }

  Path repositoryUploads(Path repository) {
    return repository.resolve("_uploads");
  }

  Path blobDirectory(Digest digest) {
    return blobs.resolve(digest.algorithm().prefix()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
  }

  Path blobData(Digest digest) {
    return blobDirectory(digest).resolve("data");
  }

  Path uploadData(UploadId id) {
    return uploads.resolve(id.value());
  }

  /** Beside the upload's bytes; a name no upload id has, so listing uploads passes it by. */
  Path uploadHashState(UploadId id, DigestAlgorithm algorithm) {
    return uploads.resolve(id.value() + ".hashstate-" + algorithm.prefix());
  }
}
