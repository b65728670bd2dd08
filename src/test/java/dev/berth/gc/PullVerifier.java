package dev.berth.gc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testing.Digests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Pulls as a client pulls, and checks everything it gets: the manifest hashes to the digest the
 * registry names, and every blob it references (through indexes, too) is served complete, with
 * bytes that hash to their digest and the size the manifest declares. Remembers every blob it saw.
 */
final class PullVerifier {
  private final OciHttp registry;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> blobsSeen = new LinkedHashSet<>();
  private int manifestsPulled;
  private int tagsPulled;

  PullVerifier(OciHttp registry) {
    this.registry = registry;
  }

  /** Pulls every tag that {@code tags/list} shows in each repository. */
  PullVerifier pullEveryTag(Collection<String> repositories) throws IOException {
    for (String repo : repositories) {
      for (String tag : registry.tags(repo)) {
        pull(repo, tag);
      }
    }
    return this;
  }

  /** Pulls one tag (or digest) and everything under it. */
  PullVerifier pull(String repo, String reference) throws IOException {
    if (!reference.startsWith("sha256:")) {
      tagsPulled++;
    }
    pullManifest(repo, reference);
    return this;
  }

  private void pullManifest(String repo, String reference) throws IOException {
    OciHttp.Reply manifest = registry.getManifest(repo, reference);
    String where = repo + ":" + reference;
    if (manifest.status() != 200) {
      problems.add(where + ": manifest not served: " + manifest);
      return;
    }
    manifestsPulled++;
    String digest = Digests.sha256(manifest.body());
    if (!digest.equals(manifest.header("Docker-Content-Digest"))
        || (reference.startsWith("sha256:") && !digest.equals(reference))) {
      problems.add(where + ": manifest bytes hash to " + digest
          + ", registry says " + manifest.header("Docker-Content-Digest"));
      return;
    }
    JsonNode json = manifest.json();
    for (JsonNode child : json.path("manifests")) {
      pullManifest(repo, child.path("digest").asText());
    }
    if (json.has("config")) {
      pullBlob(where, repo, json.get("config"));
    }
    for (JsonNode layer : json.path("layers")) {
      pullBlob(where, repo, layer);
    }
  }

  private void pullBlob(String where, String repo, JsonNode descriptor) throws IOException {
    String digest = descriptor.path("digest").asText();
    long size = descriptor.path("size").asLong();
    OciHttp.Reply blob = registry.getBlob(repo, digest);
    if (blob.status() != 200) {
      problems.add(where + ": blob " + digest + " not served: " + blob);
      return;
    }
    if (blob.body().length != size || !Digests.sha256(blob.body()).equals(digest)) {
      problems.add(where + ": blob " + digest + " served " + blob.body().length + " bytes (declared " + size
          + ") hashing to " + Digests.sha256(blob.body()));
      return;
    }
    blobsSeen.add(digest);
  }

  /** Fails, listing every problem found, unless everything pulled was whole. */
  PullVerifier assertAllWhole() {
    if (!problems.isEmpty()) {
      throw new AssertionError(problems.size() + " pull problem(s) (" + manifestsPulled + " manifests pulled):\n  "
          + String.join("\n  ", problems));
    }
    return this;
  }

  int tagsPulled() {
    return tagsPulled;
  }

  Set<String> blobsSeen() {
    return Set.copyOf(blobsSeen);
  }
}
