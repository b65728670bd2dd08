package dev.berth.policy;

import dev.berth.oci.Tag;
import java.util.Objects;

/** Tags that, once pushed, no push may move and no delete or retention rule may remove. */
public record ImmutableRule(PatternSet repositories, PatternSet tags) {

  public ImmutableRule {
    Objects.requireNonNull(repositories, "repositories");
    Objects.requireNonNull(tags, "tags");
    if (repositories.onTags() || !tags.onTags()) {
      throw new IllegalArgumentException("repository patterns and tag patterns the wrong way round");
    }
  }

  /** Whether {@code tag} in the repository at {@code path} (inside its namespace) is immutable. */
  public boolean protects(String path, Tag tag) {
    return repositories.matches(path) && tags.matches(tag.value());
  }
}
