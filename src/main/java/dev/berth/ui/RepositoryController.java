package dev.berth.ui;

import dev.berth.auth.Permissions;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.metadata.InventoryStore.RepositoryUsage;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.policy.NamespacePolicy;
import dev.berth.ui.view.BarChart;
import dev.berth.ui.view.DeleteWords;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.Paging;
import dev.berth.ui.view.RepositoriesView;
import dev.berth.ui.view.RepositoryView;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The repositories a user may pull (searchable, a page at a time, with the largest charted) and
 * one repository's images, with delete links where the user may delete. A repository the user may
 * not pull is "not found", exactly as one that does not exist.
 */
final class RepositoryController {
  private static final int CHARTED = 10;
  private final Inventory inventory;
  private final Permissions permissions;
  private final Policies policies;
  private final Pages pages;

  RepositoryController(Inventory inventory, Permissions permissions, Policies policies, Pages pages) {
    this.inventory = inventory;
    this.permissions = permissions;
    this.policies = policies;
    this.pages = pages;
  }

  void list(WebExchange ex, Session session) throws IOException {
    String query = ex.query("q").orElse("");
    int page = Paging.requested(ex.query("page"));
    Predicate<RepositoryName> visible = permissions.seeing(session.principal());
    List<RepositoryUsage> repositories = inventory.repositories(query).stream()
        .filter(r -> visible.test(r.name())).toList();
    List<RepositoriesView.Row> rows = Paging.slice(repositories, page).stream().map(r -> new RepositoriesView.Row(
        r.name().value(), Links.repository(r.name().value()), Format.bytes(r.bytes()), r.tags(), r.manifests(),
        r.lastPush().map(Format::time).orElse("-"))).toList();
    List<RepositoryUsage> largest = repositories.stream()
        .sorted(Comparator.comparingLong(RepositoryUsage::bytes).reversed()).limit(CHARTED).toList();
    BarChart chart = BarChart.of(largest, RepositoryUsage::bytes, r -> r.name().value());
    pages.render(ex, 200, "repositories", new RepositoriesView(Pages.frame(session, "Repositories", "repositories"),
        query, rows, repositories.size(), chart,
        Paging.of(page, repositories.size(), Links.repositories(query))));
  }

  void show(WebExchange ex, Session session) throws IOException {
    String rawName = ex.query("name").orElse("");
    Optional<RepositoryName> name = parse(rawName).filter(n -> permissions.maySee(session.principal(), n));
    Optional<List<Inventory.Image>> images = name.flatMap(inventory::images);
    if (images.isEmpty()) {
      pages.notFound(ex, Pages.frame(session, "Not found", "repositories"), "There is no repository " + rawName + ".");
      return;
    }
    String repository = name.get().value();
    boolean deletable = permissions.mayDelete(session.principal(), name.get());
    int page = Paging.requested(ex.query("page"));
    ImageQuery query = ImageQuery.of(ex.query("show"), ex.query("sort"));
    List<Inventory.Image> listed = query.apply(images.get());
    NamespacePolicy policy = policies.find(name.get().namespace()).map(Policies.Current::policy)
        .orElse(NamespacePolicy.NONE);
    List<RepositoryView.Image> rows = Paging.slice(listed, page).stream()
        .map(image -> row(name.get(), image, deletable, policy)).toList();
    long untagged = images.get().stream().filter(ImageQuery.Show.UNTAGGED::admits).count();
    String counts = images.get().size() + (images.get().size() == 1 ? " image" : " images") + ": "
        + (images.get().size() - untagged) + " tagged, " + untagged + " untagged";
    List<RepositoryView.Choice> shows = List.of(
        choice("all", repository, query.show(ImageQuery.Show.ALL), query),
        choice("tagged", repository, query.show(ImageQuery.Show.TAGGED), query),
        choice("untagged", repository, query.show(ImageQuery.Show.UNTAGGED), query));
    List<RepositoryView.Choice> sorts = List.of(
        choice("newest first", repository, query.sort(ImageQuery.Sort.PUSHED), query),
        choice("by tag", repository, query.sort(ImageQuery.Sort.TAG), query));
    pages.render(ex, 200, "repository", new RepositoryView(Pages.frame(session, repository, "repositories"),
        repository, DeletedNotice.of(ex).map(DeletedNotice::text).orElse(""), counts, shows, sorts, rows, deletable,
        Links.deleteMany(repository, DeleteController.Scope.UNTAGGED),
        Links.deleteMany(repository, DeleteController.Scope.REPOSITORY), Paging.of(page, listed.size(), Links.repository(repository) + query.parameters() + "&page=")));
  }

  private static RepositoryView.Choice choice(String label, String repository, ImageQuery target, ImageQuery current) {
    return new RepositoryView.Choice(label, Links.repository(repository) + target.parameters(), target.equals(current));
  }

  private static RepositoryView.Image row(RepositoryName name, Inventory.Image image, boolean deletable,
      NamespacePolicy policy) {
    String repository = name.value();
    String path = NamespacePolicy.pathInNamespace(name);
    String digest = image.digest().toString();
    return new RepositoryView.Image(digest, Format.shortDigest(digest), Links.artifact(repository, digest),
        image.mediaType().value(),
        image.artifactType().filter(type -> !ImageConfigReader.IMAGE_CONFIGS.contains(type)).orElse(""),
        Format.bytes(image.size()), Format.time(image.pushedAt()),
        image.lastPulledAt().map(Format::time).orElse("never"),
        VersionOrder.sorted(image.tags()).stream().map(tag -> {
          // An immutable tag cannot be deleted: no link, and a lock naming the rule instead.
          String rule = policy.immutableRule(path, tag).map(i -> "immutable[" + i + "]").orElse("");
          return new RepositoryView.TagLink(tag.value(), deletable && rule.isEmpty()
              ? Links.delete(repository, tag.value()) : "", rule);
        }).toList(),
        image.platforms(),
        image.referrers().stream().map(r -> new RepositoryView.Referrer(Format.shortDigest(r.digest().toString()),
            Links.artifact(repository, r.digest().toString()), r.artifactType(), Format.bytes(r.size()), Format.lines(r.annotations()))).toList(),
        Format.lines(image.annotations()), deletable ? Links.delete(repository, digest) : "",
        image.missingSubject().map(s -> DeleteWords.orphanedReferrer(Format.shortDigest(s.toString()))).orElse(""));
  }

  private static Optional<RepositoryName> parse(String name) {
    try {
      return Optional.of(RepositoryName.of(name));
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }
}
