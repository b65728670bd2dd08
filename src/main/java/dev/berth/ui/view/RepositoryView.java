package dev.berth.ui.view;

import java.util.List;

/**
 * One page of a repository's images: tagged and untagged, with what each weighs and what is
 * attached to it.
 *
 * @param deleted what the last delete did, shown once after the redirect (empty: nothing)
 * @param deletable whether the signed-in user may delete here; without it there are no delete links,
 *     no boxes to select images with and no {@code deleteUntaggedHref} or {@code deleteRepositoryHref}
 * @param counts how many images the repository holds, tagged and untagged
 * @param shows the filters (all, tagged, untagged) and {@code sorts} the orders, the current one marked
 */
public record RepositoryView(Frame frame, String name, String deleted, String counts, List<Choice> shows,
    List<Choice> sorts, List<Image> images, boolean deletable, String deleteUntaggedHref, String deleteRepositoryHref,
    Paging paging) {

  /** A link to the same list filtered or ordered otherwise. */
  public record Choice(String label, String href, boolean current) {}

  /**
   * {@code href} is the image's own page. {@code deleteHref} and each tag's are empty where the user may not delete; {@code orphaned}
   * says, for a referrer whose subject was deleted, that the next collection takes it (else empty).
   */
  public record Image(String digest, String shortDigest, String href, String mediaType, String artifactType, String size,
      String pushedAt, String lastPulledAt, List<TagLink> tags, List<String> platforms, List<Referrer> referrers,
      List<String> annotations, String deleteHref, String orphaned) {
    public boolean untagged() {
      return tags.isEmpty();
    }
  }

  /** @param immutableRule the policy's rule that makes the tag immutable ({@code immutable[0]}), or empty */
  public record TagLink(String name, String deleteHref, String immutableRule) {}

  public record Referrer(String shortDigest, String href, String artifactType, String size, List<String> annotations) {}
}
