package dev.berth.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.Permissions;
import dev.berth.cleanup.Inventory;
import dev.berth.metadata.StoredManifest;
import dev.berth.oci.Digest;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.registry.Manifests;
import dev.berth.registry.RegistryException;
import dev.berth.ui.view.ArtifactView;
import dev.berth.ui.view.DeleteWords;
import dev.berth.ui.view.Format;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.server.Request;

/**
 * One manifest of a repository on its own page ({@code /ui/artifact?repository=…&digest=…}): its
 * pull commands, sizes and times, an image's config and layers, an index's children, its referrers,
 * and the delete links that lead to the preview. Whoever may open the repository's page may open
 * this one; a repository or digest one may not see is "not found", exactly as one that does not exist.
 */
final class ArtifactController {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Inventory inventory;
  private final Manifests manifests;
  private final ImageConfigReader configs;
  private final Permissions permissions;
  private final Function<Request, String> externalUrl;
  private final Pages pages;

  ArtifactController(Inventory inventory, Manifests manifests, ImageConfigReader configs, Permissions permissions,
      Function<Request, String> externalUrl, Pages pages) {
    this.inventory = inventory;
    this.manifests = manifests;
    this.configs = configs;
    this.permissions = permissions;
    this.externalUrl = externalUrl;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    Optional<RepositoryName> name = parse(ex.query("repository").orElse(""), RepositoryName::of)
        .filter(n -> permissions.maySee(session.principal(), n));
    Optional<Digest> digest = parse(ex.query("digest").orElse(""), Digest::parse);
    Optional<Inventory.Artifact> artifact = name.flatMap(n -> digest.flatMap(d -> inventory.artifact(n, d)));
    Optional<StoredManifest> stored = artifact.flatMap(a -> manifest(name.get(), a.image().digest()));
    if (stored.isEmpty()) {
      pages.notFound(ex, Pages.frame(session, "Not found", "repositories"), "There is no such image.");
      return;
    }
    RepositoryName repository = name.get();
    Inventory.Image image = artifact.get().image();
    JsonNode payload = JSON.readTree(stored.get().payload());
    boolean deletable = permissions.mayDelete(session.principal(), repository);
    String repo = repository.value();
    String digestText = image.digest().toString();
    List<ArtifactView.TagLink> tags = VersionOrder.sorted(image.tags()).stream()
        .map(t -> new ArtifactView.TagLink(t.value(), deletable ? Links.delete(repo, t.value()) : "")).toList();
    ConfigShown config = config(repository, payload.path("config"));
    List<ArtifactView.Link> referrers = image.referrers().stream().map(r -> new ArtifactView.Link(r.digest().toString(),
        r.artifactType(), Format.bytes(r.size()), Links.artifact(repo, r.digest().toString()))).toList();
    Optional<ArtifactView.Link> subject = artifact.get().subject().map(s -> new ArtifactView.Link(s.toString(),
        "subject", "", image.missingSubject().isPresent() ? "" : Links.artifact(repo, s.toString())));
    List<ArtifactView.Link> listedBy = artifact.get().listedBy().stream().map(d -> new ArtifactView.Link(d.toString(),
        "index", "", Links.artifact(repo, d.toString()))).toList();

    pages.render(ex, 200, "artifact", new ArtifactView(
        Pages.frame(session, repo + "@" + Format.shortDigest(digestText), "repositories"), repo,
        Links.repository(repo), digestText, image.mediaType().value(),
        image.artifactType().filter(t -> !ImageConfigReader.IMAGE_CONFIGS.contains(t)).orElse(""),
        Format.bytesExact(image.size()), Format.bytesExact(stored.get().size()), Format.time(image.pushedAt()),
        image.lastPulledAt().map(Format::time).orElse("never"),
        pulls(host(externalUrl.apply(ex.request())), repo, image), tags, config.config(), config.note(),
        layers(payload), children(repo, payload),
        referrers, subject, listedBy, Format.lines(image.annotations()),
        image.missingSubject().map(s -> DeleteWords.orphanedReferrer(Format.shortDigest(s.toString()))).orElse(""),
        deletable, deletable ? Links.delete(repo, digestText) : ""));
  }

  /** {@code podman pull} by each tag, in version order, then by digest. */
  private static List<ArtifactView.Pull> pulls(String host, String repository, Inventory.Image image) {
    List<ArtifactView.Pull> pulls = new ArrayList<>();
    for (Tag tag : VersionOrder.sorted(image.tags())) {
      pulls.add(new ArtifactView.Pull("tag " + tag.value(), "podman pull " + host + "/" + repository + ":" + tag.value()));
    }
    pulls.add(new ArtifactView.Pull("digest", "podman pull " + host + "/" + repository + "@" + image.digest()));
    return pulls;
  }

  /** An image's config as read, or a note: why it cannot be shown, or what another artifact's config is. */
  private record ConfigShown(Optional<ArtifactView.Config> config, String note) {}

  private ConfigShown config(RepositoryName repository, JsonNode descriptor) {
    if (!descriptor.isObject()) {
      return new ConfigShown(Optional.empty(), "");
    }
    String mediaType = descriptor.path("mediaType").asText("");
    if (!ImageConfigReader.IMAGE_CONFIGS.contains(mediaType)) {
      return new ConfigShown(Optional.empty(),
          "config " + mediaType + ", " + Format.bytesExact(descriptor.path("size").asLong()));
    }
    return switch (configs.read(repository, Digest.parse(descriptor.path("digest").asText()))) {
      case ImageConfigReader.Read read -> new ConfigShown(Optional.of(read.config()), "");
      case ImageConfigReader.Unreadable unreadable -> new ConfigShown(Optional.empty(), unreadable.why());
    };
  }

  private static List<ArtifactView.Blob> layers(JsonNode payload) {
    List<ArtifactView.Blob> layers = new ArrayList<>();
    for (JsonNode layer : payload.path("layers")) {
      layers.add(new ArtifactView.Blob(layer.path("digest").asText(), layer.path("mediaType").asText(""),
          Format.bytesExact(layer.path("size").asLong())));
    }
    return layers;
  }

  /** An index's entries, each with its platform and a link to its page. */
  private static List<ArtifactView.Child> children(String repository, JsonNode payload) {
    List<ArtifactView.Child> children = new ArrayList<>();
    for (JsonNode entry : payload.path("manifests")) {
      String child = entry.path("digest").asText();
      children.add(new ArtifactView.Child(child,
          entry.path("platform").isObject() ? ImageConfigReader.platform(entry.path("platform")) : "",
          entry.path("mediaType").asText(""), Format.bytesExact(entry.path("size").asLong()),
          Links.artifact(repository, child)));
    }
    return children;
  }

  private Optional<StoredManifest> manifest(RepositoryName repository, Digest digest) {
    try {
      return Optional.of(manifests.get(repository, new Reference.ByDigest(digest)));
    } catch (RegistryException deletedMeanwhile) {
      return Optional.empty();
    }
  }

  /** What {@code podman pull} needs before the repository: the external URL's host and port, without the scheme. */
  static String host(String externalUrl) {
    int scheme = externalUrl.indexOf("://");
    return scheme < 0 ? externalUrl : externalUrl.substring(scheme + 3);
  }

  private static <T> Optional<T> parse(String text, Function<String, T> parser) {
    try {
      return Optional.of(parser.apply(text));
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }
}
