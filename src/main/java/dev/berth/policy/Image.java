package dev.berth.policy;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What retention needs to know of one manifest in one repository: its tags, when it was pushed and
 * last pulled, whether an index lists it and, for a referrer, the image it refers to.
 */
public record Image(RepositoryName repository, Digest digest, SortedSet<Tag> tags, Instant pushedAt,
    Optional<Instant> lastPulledAt, boolean listedByIndex, Optional<Digest> subject) {

  public Image {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(digest, "digest");
    tags = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(tags));
    Objects.requireNonNull(pushedAt, "pushedAt");
    Objects.requireNonNull(lastPulledAt, "lastPulledAt");
    Objects.requireNonNull(subject, "subject");
    if (subject.filter(digest::equals).isPresent()) {
      throw new IllegalArgumentException(digest + " cannot be its own subject");
    }
  }

  /** The repository's path inside its namespace, which rules match. */
  public String path() {
    return NamespacePolicy.pathInNamespace(repository);
  }

  @Override
  public String toString() {
    return repository + "@" + digest + " " + tags;
  }
}
