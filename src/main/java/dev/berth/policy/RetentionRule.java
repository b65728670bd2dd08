package dev.berth.policy;

import dev.berth.oci.Tag;
import java.util.Collection;
import java.util.Objects;

/**
 * One retention rule: it covers the images of the repositories {@code repositories} matches that
 * carry a tag {@code tags} matches, or no tag at all when {@code untagged}; of those it keeps what
 * {@code keep} says, per repository.
 */
public record RetentionRule(PatternSet repositories, PatternSet tags, boolean untagged, Keep keep) {

  public RetentionRule {
    Objects.requireNonNull(repositories, "repositories");
    Objects.requireNonNull(tags, "tags");
    if (repositories.onTags() || !tags.onTags()) {
      throw new IllegalArgumentException("repository patterns and tag patterns the wrong way round");
    }
    Objects.requireNonNull(keep, "keep");
  }

  /** Whether the rule covers an image of the repository at {@code path} (inside its namespace) with these tags. */
  public boolean covers(String path, Collection<Tag> imageTags) {
    return repositories.matches(path) && coversTags(imageTags);
  }

  /** Whether the rule covers an image with these tags in a repository its patterns match. */
  public boolean coversTags(Collection<Tag> imageTags) {
    if (imageTags.isEmpty()) {
      return untagged;
    }
    for (Tag tag : imageTags) {
      if (tags.matches(tag.value())) {
        return true;
      }
    }
    return false;
  }
}
