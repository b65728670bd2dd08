package dev.berth.ui;

import dev.berth.cleanup.Inventory;
import dev.berth.metadata.InventoryStore.RepositoryUsage;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.ui.view.BarChart;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.RepositoriesView;
import dev.berth.ui.view.RepositoryView;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The repositories list (searchable, with the largest charted) and one repository's images. */
final class RepositoryController {
  private static final int CHARTED = 10;
  /**
   * The store falls back to the config's media type when a manifest names no artifact type; for a
   * plain container image that says nothing worth a line, so these are not shown.
   */
  private static final Set<String> PLAIN_IMAGE_CONFIGS = Set.of(
      "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json");

  private final Inventory inventory;
  private final Pages pages;

  RepositoryController(Inventory inventory, Pages pages) {
    this.inventory = inventory;
    this.pages = pages;
  }

  void list(WebExchange ex, Session session) throws IOException {
    String query = ex.query("q").orElse("");
    List<RepositoryUsage> repositories = inventory.repositories(query);
    List<RepositoriesView.Row> rows = repositories.stream().map(r -> new RepositoriesView.Row(r.name().value(),
        Links.repository(r.name().value()), Format.bytes(r.bytes()), r.tags(), r.manifests(),
        r.lastPush().map(Format::time).orElse("-"))).toList();
    List<RepositoryUsage> largest = repositories.stream()
        .sorted(Comparator.comparingLong(RepositoryUsage::bytes).reversed()).limit(CHARTED).toList();
    BarChart chart = BarChart.of(largest, RepositoryUsage::bytes, r -> r.name().value());
    pages.render(ex, 200, "repositories",
        new RepositoriesView(Pages.frame(session, "Repositories", "repositories"), query, rows, chart));
  }

  void show(WebExchange ex, Session session) throws IOException {
    String rawName = ex.query("name").orElse("");
    Optional<RepositoryName> name = parse(rawName);
    Optional<List<Inventory.Image>> images = name.flatMap(inventory::images);
    if (images.isEmpty()) {
      pages.notFound(ex, Pages.frame(session, "Not found", "repositories"), "There is no repository " + rawName + ".");
      return;
    }
    String repository = name.get().value();
    List<RepositoryView.Image> rows = images.get().stream().map(image -> row(repository, image)).toList();
    pages.render(ex, 200, "repository", new RepositoryView(Pages.frame(session, repository, "repositories"),
        repository, ex.query("deleted").orElse(""), rows));
  }

  private static RepositoryView.Image row(String repository, Inventory.Image image) {
    String digest = image.digest().toString();
    return new RepositoryView.Image(digest, Format.shortDigest(digest), image.mediaType().value(),
        image.artifactType().filter(type -> !PLAIN_IMAGE_CONFIGS.contains(type)).orElse(""),
        Format.bytes(image.size()), Format.time(image.pushedAt()),
        image.lastPulledAt().map(Format::time).orElse("never"),
        image.tags().stream().map(Tag::value)
            .map(tag -> new RepositoryView.TagLink(tag, Links.delete(repository, tag))).toList(),
        image.platforms(),
        image.referrers().stream().map(r -> new RepositoryView.Referrer(Format.shortDigest(r.digest().toString()),
            r.artifactType(), Format.bytes(r.size()), lines(r.annotations()))).toList(),
        lines(image.annotations()), Links.delete(repository, digest));
  }

  private static List<String> lines(Map<String, String> annotations) {
    return annotations.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " = " + e.getValue()).toList();
  }

  private static Optional<RepositoryName> parse(String name) {
    try {
      return Optional.of(RepositoryName.of(name));
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }
}
