package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * One manifest of a repository on its own page: how to pull it, what it weighs and when it moved,
 * what it is made of (an image's config and layers, an index's children) and what refers to it.
 *
 * @param artifactType the manifest's artifact type when it says more than "container image" (else empty)
 * @param config an image's config as read from its blob; empty for an index or another artifact
 * @param configNote why an image's config is not shown, or what an artifact's config is (else empty)
 * @param subject for a referrer, the manifest it refers to
 * @param listedBy the indexes that list this manifest
 * @param orphaned for a referrer whose subject is gone, what the next collection does (else empty)
 * @param deletable whether the signed-in user may delete here; without it there are no delete links
 */
public record ArtifactView(Frame frame, String repository, String repositoryHref, String digest, String mediaType,
    String artifactType, String size, String manifestSize, String pushedAt, String lastPulledAt, List<Pull> pulls,
    List<TagLink> tags, Optional<Config> config, String configNote, List<Blob> layers, List<Child> children,
    List<Link> referrers, Optional<Link> subject, List<Link> listedBy, List<String> annotations, String orphaned,
    boolean deletable, String deleteHref) {

  public boolean index() {
    return !children.isEmpty();
  }

  /** A pull command to copy: {@code podman pull host/repository:tag} or {@code ...@digest}. */
  public record Pull(String label, String command) {}

  public record TagLink(String name, String deleteHref) {}

  /** What an image config says about how the image runs and how it was built. */
  public record Config(String platform, String created, List<String> entrypoint, List<String> cmd, List<String> env,
      String workingDir, String user, List<String> labels, List<HistoryStep> history) {}

  public record HistoryStep(String created, String createdBy, String comment, boolean emptyLayer) {}

  public record Blob(String digest, String mediaType, String size) {}

  /** An index's entry: its platform and a link to its own page. */
  public record Child(String digest, String platform, String mediaType, String size, String href) {}

  /** Another manifest of the repository (a referrer, a subject, an index), linked to its page. */
  public record Link(String digest, String what, String size, String href) {}
}
