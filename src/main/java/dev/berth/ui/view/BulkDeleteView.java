package dev.berth.ui.view;

import java.util.List;

/**
 * The one preview shown before several images go together: each of them with its tags, the
 * referrers and untagged children they leave, and the bytes a collection frees afterwards.
 *
 * @param scope what the form sends back: selected, untagged or repository
 * @param listedByKeptIndexes indexes outside the selection that list some of it: the registry
 *     refuses the delete while they stay, so no delete button is offered
 * @param tagCount how many tags go with the images
 * @param immutable images of the scope that carry an immutable tag: not deleted, not in the form
 */
public record BulkDeleteView(Frame frame, String repository, String repositoryHref, String scope, String heading,
    List<Row> manifests, List<String> referrers, List<String> untaggedChildren, List<String> listedByKeptIndexes,
    int tagCount, String bytesFreed, String bytesShared, String bytesFreedWithUntagged, List<Kept> immutable) {

  /** An image of the scope that stays: {@code why} names its immutable tags and the policy rules. */
  public record Kept(String digest, String href, String why) {}

  /** {@code listedBy}: the indexes outside the selection that list this manifest. */
  public record Row(String digest, String href, List<String> tags, List<String> listedBy) {}
}
