package dev.berth.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobStoreContract;
import dev.berth.storage.UploadId;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContract {
  @TempDir
  Path root;

  @Override
  protected BlobStore newStore() throws Exception {
    return new FilesystemBlobStore(root);
  }

  @Test
  void blobsSitWhereDockerRegistryPutsThem() throws Exception {
    byte[] content = "hello".getBytes();
    UploadId id = UploadId.random();
    store.createUpload(id);
    store.appendUpload(id, 0, new ByteArrayInputStream(content));
    Digest digest = Digest.sha256(content);
    store.commitUpload(id, digest);
    Path expected = root.resolve("docker/registry/v2/blobs/sha256")
        .resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    assertThat(expected).hasBinaryContent(content);
    assertThat(store.open(digest).orElseThrow().localFile()).contains(expected.toAbsolutePath().normalize());
  }

  @Test
  void adoptsBlobsAlreadyInDockerRegistryLayout() throws Exception {
    byte[] content = "adopted".getBytes();
    Digest digest = Digest.sha256(content);
    Path data = root.resolve("docker/registry/v2/blobs/sha256")
        .resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    Files.createDirectories(data.getParent());
    Files.write(data, content);
    assertThat(store.stat(digest)).contains((long) content.length);
  }
}
