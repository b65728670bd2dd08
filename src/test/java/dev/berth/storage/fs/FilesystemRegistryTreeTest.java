package dev.berth.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.storage.RegistryTree;
import dev.berth.testing.DockerRegistryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemRegistryTreeTest {
  @TempDir Path root;

  @Test
  void repositoriesNestAndAreVisitedInNameOrderWithEmptyDirectoriesFlagged() throws Exception {
    DockerRegistryRoot registry = new DockerRegistryRoot(root);
    registry.image("team/app", "a");
    registry.image("team/app/sub", "b");
    registry.image("library/base", "c");
    Files.createDirectories(registry.repository("gone/x"));
    List<String> visited = new ArrayList<>();

    new FilesystemRegistryTree(root).forEachRepository(r -> visited.add(r.name() + (r.empty() ? " (empty)" : "")));

    assertThat(visited).containsExactly("gone/x (empty)", "library/base", "team/app", "team/app/sub");
  }

  @Test
  void aMissingLinkFileReadsAsNoneAndADirectoryInItsPlaceAsBlank() throws Exception {
    DockerRegistryRoot registry = new DockerRegistryRoot(root);
    String kept = registry.image("team/app", "kept");
    String deleted = registry.image("team/app", "deleted");
    Files.delete(registry.revisionLink("team/app", deleted));
    String odd = registry.image("team/app", "odd");
    Path oddLink = registry.revisionLink("team/app", odd);
    Files.delete(oddLink);
    Files.createDirectories(oddLink);
    FilesystemRegistryTree tree = new FilesystemRegistryTree(root);
    List<RegistryTree.Link> links = new ArrayList<>();

    tree.forEachRepository(r -> tree.forEachRevisionLink(r, links::add));

    assertThat(links).filteredOn(l -> l.key().equals(kept)).singleElement()
        .extracting(RegistryTree.Link::content).isEqualTo(Optional.of(kept));
    assertThat(links).filteredOn(l -> l.key().equals(deleted)).singleElement()
        .extracting(RegistryTree.Link::content).isEqualTo(Optional.empty());
    assertThat(links).filteredOn(l -> l.key().equals(odd)).singleElement()
        .extracting(RegistryTree.Link::content).isEqualTo(Optional.of(""));
    assertThat(tree.blobSize(Digest.parse(kept))).contains(Files.size(registry.blobData(kept)));
    assertThat(tree.readBlob(Digest.parse(kept), 10)).isEmpty();
    assertThat(tree.readBlob(Digest.parse(kept), 1 << 20)).hasValueSatisfying(bytes ->
        assertThat(bytes).isEqualTo(readAll(registry.blobData(kept))));
    assertThat(root.resolve("berth")).doesNotExist();
  }

  private static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
