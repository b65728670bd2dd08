package dev.berth.ui.view;

import java.util.List;

/**
 * One page of a repository's images: tagged and untagged, with what each weighs and what is
 * attached to it.
 *
 * @param deleted what the last delete did, shown once after the redirect (empty: nothing)
 * @param deletable whether the signed-in user may delete here; without it there are no delete links
 */
public record RepositoryView(Frame frame, String name, String deleted, List<Image> images, boolean deletable,
    Paging paging) {

  /**
   * {@code deleteHref} and each tag's are empty where the user may not delete; {@code orphaned}
   * says, for a referrer whose subject was deleted, that the next collection takes it (else empty).
   */
  public record Image(String digest, String shortDigest, String mediaType, String artifactType, String size,
      String pushedAt, String lastPulledAt, List<TagLink> tags, List<String> platforms, List<Referrer> referrers,
      List<String> annotations, String deleteHref, String orphaned) {
    public boolean untagged() {
      return tags.isEmpty();
    }
  }

  public record TagLink(String name, String deleteHref) {}

  public record Referrer(String shortDigest, String artifactType, String size, List<String> annotations) {}
}
