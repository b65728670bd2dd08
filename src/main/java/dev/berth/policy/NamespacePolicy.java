package dev.berth.policy;

import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What a namespace keeps: its retention rules, its immutable tags and its storage quota. */
public record NamespacePolicy(Retention retention, List<ImmutableRule> immutable, Optional<ByteSize> quota) {
  public static final NamespacePolicy NONE = new NamespacePolicy(Retention.NONE, List.of(), Optional.empty());

  public NamespacePolicy {
    Objects.requireNonNull(retention, "retention");
    immutable = List.copyOf(immutable);
    Objects.requireNonNull(quota, "quota");
  }

  /**
   * The path rules match a repository on: its name after the namespace ({@code app/api} for
   * {@code team/app/api}); empty for a repository named as its namespace, which only {@code **} matches.
   */
  public static String pathInNamespace(RepositoryName repository) {
    String name = repository.value();
    int slash = name.indexOf('/');
    return slash < 0 ? "" : name.substring(slash + 1);
  }

  /** The index of the first immutable rule protecting {@code tag} in the repository at {@code path}, if any. */
  public Optional<Integer> immutableRule(String path, Tag tag) {
    for (int i = 0; i < immutable.size(); i++) {
      if (immutable.get(i).protects(path, tag)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
