package dev.berth.http;

import dev.berth.metadata.Referrer;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Listings;
import dev.berth.registry.RegistryException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;

/** Tag lists, the catalog and referrers. */
final class ListingEndpoints {
  private static final String FILTERS_APPLIED = "OCI-Filters-Applied";

  private final Listings listings;

  ListingEndpoints(Listings listings) {
    this.listings = listings;
  }

  void tags(Exchange ex, RepositoryName name) throws IOException {
    ex.route("tags_list");
    requireGet(ex);
    Optional<Integer> n = pageSize(ex);
    Optional<String> last = ex.query("last");
    Listings.Page<Tag> page = listings.tags(name, n, last);
    List<String> tags = page.items().stream().map(Tag::value).toList();
    if (page.more()) {
      link(ex, "/v2/" + name + "/tags/list", n, tags.getLast());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name.value());
    body.put("tags", tags);
    ex.json(200, body);
  }

  /** @param visible repositories the caller may see; the others are skipped, not counted */
  void catalog(Exchange ex, java.util.function.Predicate<RepositoryName> visible) throws IOException {
    ex.route("catalog");
    requireGet(ex);
    Optional<Integer> n = pageSize(ex);
    Optional<RepositoryName> last = ex.query("last").filter(s -> !s.isEmpty()).map(RepositoryName::of);
    Listings.Page<RepositoryName> page = listings.catalog(n, last, visible);
    List<String> names = page.items().stream().map(RepositoryName::value).toList();
    if (page.more()) {
      link(ex, "/v2/_catalog", n, names.getLast());
    }
    ex.json(200, Map.of("repositories", names));
  }

  void referrers(Exchange ex, RepositoryName name, String rawDigest) throws IOException {
    ex.route("referrers");
    requireGet(ex);
    Digest subject = Digest.parse(rawDigest);
    Optional<String> artifactType = ex.query("artifactType").filter(s -> !s.isEmpty());
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (Referrer r : listings.referrers(name, subject, artifactType)) {
      Map<String, Object> descriptor = new LinkedHashMap<>();
      descriptor.put("mediaType", r.mediaType().value());
      descriptor.put("digest", r.digest().toString());
      descriptor.put("size", r.size());
      r.artifactType().ifPresent(t -> descriptor.put("artifactType", t));
      if (!r.annotations().isEmpty()) {
        descriptor.put("annotations", r.annotations());
      }
      manifests.add(descriptor);
    }
    artifactType.ifPresent(t -> ex.header(FILTERS_APPLIED, "artifactType"));
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaType.OCI_INDEX.value());
    index.put("manifests", manifests);
    ex.bytes(200, MediaType.OCI_INDEX.value(), ex.mapper().writeValueAsBytes(index));
  }

  private static void requireGet(Exchange ex) {
    if (!"GET".equals(ex.method()) && !ex.isHead()) {
      throw V2Handler.methodNotAllowed();
    }
  }

  private static Optional<Integer> pageSize(Exchange ex) {
    Optional<String> n = ex.query("n").filter(s -> !s.isEmpty());
    try {
      return n.map(Integer::valueOf);
    } catch (NumberFormatException e) {
      throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a number", n.get());
    }
  }

  private static void link(Exchange ex, String path, Optional<Integer> n, String last) {
    StringBuilder next = new StringBuilder("<").append(path).append("?last=")
        .append(URLEncoder.encode(last, StandardCharsets.UTF_8));
    n.ifPresent(size -> next.append("&n=").append(size));
    ex.header(HttpHeader.LINK, next.append(">; rel=\"next\"").toString());
  }
}
