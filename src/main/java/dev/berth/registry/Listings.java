package dev.berth.registry;

import dev.berth.metadata.ManifestMetadata;
import dev.berth.metadata.Referrer;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.List;
import java.util.Optional;

/** Content discovery: tag lists, the catalog and referrers. */
public final class Listings {

  /** Upper bound of one page, so a client cannot make the registry build an unbounded response. */
  public static final int MAX_PAGE = 10_000;
  /** Catalog page size when the client names none, as Docker Registry's. */
  public static final int DEFAULT_CATALOG_PAGE = 1_000;

  private final ManifestMetadata metadata;

  public Listings(ManifestMetadata metadata) {
    this.metadata = metadata;
  }

  /** One page, and whether more follow it. */
  public record Page<T>(List<T> items, boolean more) {}

  public Page<Tag> tags(RepositoryName repository, Optional<Integer> n, Optional<String> last) {
    if (!metadata.repositoryExists(repository)) {
      throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry", repository.value());
    }
    int limit = pageSize(n, MAX_PAGE);
    return page(metadata.listTags(repository, last, limit + 1), limit);
  }

  public Page<RepositoryName> catalog(Optional<Integer> n, Optional<RepositoryName> last) {
    return catalog(n, last, repository -> true);
  }

  /** A page of the repositories {@code visible} admits; hidden ones neither show nor end a page early. */
  public Page<RepositoryName> catalog(
      Optional<Integer> n, Optional<RepositoryName> last, java.util.function.Predicate<RepositoryName> visible) {
    int limit = pageSize(n, DEFAULT_CATALOG_PAGE);
    List<RepositoryName> shown = new java.util.ArrayList<>();
    Optional<RepositoryName> after = last;
    while (shown.size() <= limit) {
      List<RepositoryName> batch = metadata.listRepositories(after, limit + 1);
      batch.stream().filter(visible).forEach(shown::add);
      if (batch.size() <= limit) {
        break;
      }
      after = Optional.of(batch.getLast());
    }
    return page(shown.size() > limit + 1 ? shown.subList(0, limit + 1) : shown, limit);
  }

  public List<Referrer> referrers(RepositoryName repository, Digest subject, Optional<String> artifactType) {
    return metadata.listReferrers(repository, subject, artifactType);
  }

  private static int pageSize(Optional<Integer> n, int fallback) {
    if (n.isEmpty()) {
      return fallback;
    }
    int value = n.get();
    if (value < 0) {
      throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must not be negative", value);
    }
    return Math.min(value, MAX_PAGE);
  }

  private static <T> Page<T> page(List<T> fetched, int limit) {
    if (limit == 0) {
      return new Page<>(List.of(), false);
    }
    if (fetched.size() > limit) {
      return new Page<>(fetched.subList(0, limit), true);
    }
    return new Page<>(fetched, false);
  }
}
