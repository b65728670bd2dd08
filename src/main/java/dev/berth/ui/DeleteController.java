package dev.berth.ui;

import dev.berth.auth.Permissions;
import dev.berth.cleanup.DeletePreview;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.metadata.Referrer;
import dev.berth.oci.Digest;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.policy.NamespacePolicy;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Manifests;
import dev.berth.registry.RegistryException;
import dev.berth.ui.view.BulkDeleteView;
import dev.berth.ui.view.DeleteView;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.Frame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deleting a tag, an image, several images at once or every manifest of a repository: first the preview (which other tags keep the image, what goes with
 * it, how many bytes the next GC frees), then the confirmed delete through the registry's own use
 * case, audited under the signed-in user's name. Only where the user holds the delete action
 * (maintainer or admin of the namespace); where they may not even pull, there is nothing to find.
 * Several images go in one transaction: when the registry refuses one (an immutable tag, an index
 * that stays and lists it), none goes.
 */
final class DeleteController {
  /** The most manifests one combined delete takes: its confirmation form carries each digest. */
  static final int MAX_AT_ONCE = 5000;
  private final DeletePreview previews;
  private final Inventory inventory;
  private final Manifests manifests;
  private final Permissions permissions;
  private final Policies policies;
  private final Pages pages;

  DeleteController(DeletePreview previews, Inventory inventory, Manifests manifests, Permissions permissions,
      Policies policies, Pages pages) {
    this.policies = policies;
    this.previews = previews;
    this.inventory = inventory;
    this.manifests = manifests;
    this.permissions = permissions;
    this.pages = pages;
  }

  /** The repository and reference a request names, both validated. */
  private record Target(RepositoryName repository, Reference reference) {}

  void preview(WebExchange ex, Session session) throws IOException {
    Frame frame = Pages.frame(session, "Delete", "repositories");
    Optional<Target> target = target(ex.query("repository"), ex.query("reference"))
        .filter(t -> permissions.maySee(session.principal(), t.repository()));
    Optional<Digest> digest = target.flatMap(t -> switch (t.reference()) {
      case Reference.ByDigest d -> Optional.of(d.digest());
      case Reference.ByTag t2 -> previews.resolve(t.repository(), t2.tag());
    });
    Optional<DeletePreview.Preview> preview = digest.flatMap(d -> previews.of(target.get().repository(), d));
    if (preview.isEmpty()) {
      pages.notFound(ex, frame, "There is no such tag or image.");
      return;
    }
    if (!mayDelete(ex, frame, session, target.get().repository())) {
      return;
    }
    DeletePreview.Preview p = preview.get();
    String repository = p.repository().value();
    Optional<String> tag = target.get().reference() instanceof Reference.ByTag t ? Optional.of(t.tag().value())
        : Optional.empty();
    List<String> tags = p.tags().stream().map(Tag::value).toList();
    pages.render(ex, 200, "delete", new DeleteView(frame, repository, Links.repository(repository),
        tag.orElse(p.digest().toString()), tag.isPresent(), p.digest().toString(),
        tags.stream().filter(t -> tag.isPresent() && !t.equals(tag.get())).toList(), tags,
        p.referrers().stream().map(DeleteController::referrer).toList(),
        p.untaggedChildren().stream().map(Digest::toString).toList(), p.indexesListingIt(),
        Format.bytesExact(p.bytesFreed()), Format.bytesExact(p.bytesShared()),
        Format.bytesExact(p.bytesFreedWithUntagged())));
  }

  void confirm(WebExchange ex, Session session) throws IOException {
    Frame frame = Pages.frame(session, "Delete", "repositories");
    Optional<Target> target = target(ex.field("repository"), ex.field("reference"));
    if (target.isEmpty()) {
      pages.refuse(ex, session, Links.REPOSITORIES, "Not deleted: the form named no valid repository and tag or digest.");
      return;
    }
    if (!permissions.maySee(session.principal(), target.get().repository())) {
      pages.notFound(ex, frame, "There is no such tag or image.");
      return;
    }
    if (!mayDelete(ex, frame, session, target.get().repository())) {
      return;
    }
    RepositoryName repository = target.get().repository();
    Reference reference = target.get().reference();
    // Counted before the delete: once the subject is gone, nothing leads to its referrers.
    DeletedNotice notice = switch (reference) {
      case Reference.ByDigest d -> new DeletedNotice(reference.toString(), DeletedNotice.Kind.IMAGE,
          previews.referrers(repository, d.digest()).size());
      case Reference.ByTag t -> new DeletedNotice(reference.toString(),
          previews.resolve(repository, t.tag()).map(d -> manifests.tagsOf(repository, d).size()).orElse(0) > 1
              ? DeletedNotice.Kind.TAG_SHARED : DeletedNotice.Kind.TAG_LAST, 0);
    };
    try {
      manifests.delete(repository, reference, session.actor(ex.remoteAddress()));
    } catch (RegistryException e) {
      pages.refuse(ex, session, Links.repository(repository.value()), refusal(e, repository));
      return;
    }
    ex.redirect(Links.repositoryAfterDelete(repository.value(), notice));
  }

  /** What a combined delete covers: the images picked on the page, every untagged one, or every manifest. */
  enum Scope {
    SELECTED("selected"), UNTAGGED("untagged"), REPOSITORY("repository");

    final String id;

    Scope(String id) {
      this.id = id;
    }

    static Scope of(Optional<String> id) {
      return Arrays.stream(values()).filter(s -> s.id.equals(id.orElse(""))).findFirst().orElse(SELECTED);
    }
  }

  /** The combined preview of the images chosen on the repository page ({@code digest=}, repeated), or of a whole scope. */
  void previewMany(WebExchange ex, Session session) throws IOException {
    Frame frame = Pages.frame(session, "Delete", "repositories");
    Optional<RepositoryName> repository = repository(ex.query("repository"))
        .filter(r -> permissions.maySee(session.principal(), r));
    Optional<List<Inventory.Image>> images = repository.flatMap(inventory::images);
    if (images.isEmpty()) {
      pages.notFound(ex, frame, "There is no such repository.");
      return;
    }
    if (!mayDelete(ex, frame, session, repository.get())) {
      return;
    }
    Scope scope = Scope.of(ex.query("scope"));
    String name = repository.get().value();
    Optional<List<Digest>> digests = switch (scope) {
      case SELECTED -> digests(ex.queryAll("digest"));
      case UNTAGGED -> Optional.of(images.get().stream().filter(ImageQuery.Show.UNTAGGED::admits)
          .map(Inventory.Image::digest).toList());
      case REPOSITORY -> Optional.of(previews.everyManifest(repository.get()));
    };
    if (digests.map(List::size).orElse(0) > MAX_AT_ONCE) {
      pages.refuse(ex, session, Links.repository(name), "That is " + digests.get().size() + " manifests, more than the"
          + " console deletes at once (" + MAX_AT_ONCE + "): delete the untagged images first, or select images.");
      return;
    }
    // Images an immutable tag keeps are set aside: the registry would refuse the whole delete for them.
    NamespacePolicy policy = policies.find(repository.get().namespace()).map(Policies.Current::policy)
        .orElse(NamespacePolicy.NONE);
    Optional<DeletePreview.Combined> preview = digests.flatMap(d -> previews.of(repository.get(), d));
    List<BulkDeleteView.Kept> immutable = new ArrayList<>();
    if (preview.isPresent()) {
      List<Digest> deletable = new ArrayList<>();
      for (DeletePreview.Item item : preview.get().manifests()) {
        immutablyTagged(repository.get(), item, policy).ifPresentOrElse(immutable::add,
            () -> deletable.add(item.digest()));
      }
      if (deletable.isEmpty()) {
        pages.refuse(ex, session, Links.repository(name), "Nothing to delete: every one of those images carries an"
            + " immutable tag of the namespace's policy (" + String.join("; ", immutable.stream()
                .map(k -> Format.shortDigest(k.digest()) + ": " + k.why()).toList()) + ").");
        return;
      }
      if (!immutable.isEmpty()) {
        preview = previews.of(repository.get(), deletable);
      }
    }
    if (preview.isEmpty()) {
      pages.refuse(ex, session, Links.repository(name), switch (scope) {
        case SELECTED -> digests.filter(List::isEmpty).isPresent() ? "Select the images to delete first."
            : "Those images are not all in " + name + " (any more): reload the page and select again.";
        case UNTAGGED -> name + " has no untagged images.";
        case REPOSITORY -> name + " holds no images.";
      });
      return;
    }
    DeletePreview.Combined p = preview.get();
    List<BulkDeleteView.Row> rows = p.manifests().stream().map(m -> new BulkDeleteView.Row(m.digest().toString(),
        Links.artifact(name, m.digest().toString()), VersionOrder.sorted(m.tags()).stream().map(Tag::value).toList(),
        m.listedBy().stream().map(Digest::toString).toList())).toList();
    // What is left of a repository with immutable images is no repository delete: the notice afterwards counts images.
    String sent = immutable.isEmpty() ? scope.id : Scope.SELECTED.id;
    pages.render(ex, 200, "bulk-delete", new BulkDeleteView(frame, name, Links.repository(name), sent,
        switch (scope) {
          case SELECTED -> "Delete " + count(rows.size(), "selected image") + " of " + name + "?";
          case UNTAGGED -> "Delete every untagged image of " + name + " (" + rows.size() + ")?";
          case REPOSITORY -> "Delete repository " + name + "?";
        }, rows, p.referrers().stream().map(DeleteController::referrer).toList(),
        p.untaggedChildren().stream().map(Digest::toString).toList(),
        p.listedByKeptIndexes().stream().map(Digest::toString).toList(),
        p.manifests().stream().mapToInt(m -> m.tags().size()).sum(), Format.bytesExact(p.bytesFreed()),
        Format.bytesExact(p.bytesShared()), Format.bytesExact(p.bytesFreedWithUntagged()), immutable));
  }

  /** The image, with the immutable tags it carries and the rules that make them so, if it carries any. */
  private static Optional<BulkDeleteView.Kept> immutablyTagged(RepositoryName repository, DeletePreview.Item item,
      NamespacePolicy policy) {
    String path = NamespacePolicy.pathInNamespace(repository);
    Digest digest = item.digest();
    List<String> why = VersionOrder.sorted(item.tags()).stream()
        .flatMap(tag -> policy.immutableRule(path, tag).map(i -> "tag " + tag + " is immutable (policy of namespace "
            + repository.namespace() + ", immutable[" + i + "])").stream())
        .toList();
    return why.isEmpty() ? Optional.empty() : Optional.of(new BulkDeleteView.Kept(digest.toString(),
        Links.artifact(repository.value(), digest.toString()), String.join("; ", why)));
  }

  void confirmMany(WebExchange ex, Session session) throws IOException {
    Frame frame = Pages.frame(session, "Delete", "repositories");
    Optional<RepositoryName> repository = repository(ex.field("repository"));
    Optional<List<Digest>> digests = digests(ex.fieldAll("digest")).filter(d -> !d.isEmpty());
    if (repository.isEmpty() || digests.isEmpty()) {
      pages.refuse(ex, session, Links.REPOSITORIES, "Not deleted: the form named no valid repository and digests.");
      return;
    }
    if (!permissions.maySee(session.principal(), repository.get())) {
      pages.notFound(ex, frame, "There is no such repository.");
      return;
    }
    if (!mayDelete(ex, frame, session, repository.get())) {
      return;
    }
    String name = repository.get().value();
    Scope scope = Scope.of(ex.field("scope"));
    // Counted before the delete: once the subjects are gone, nothing leads to their referrers.
    int referrers = previews.of(repository.get(), digests.get()).map(p -> p.referrers().size()).orElse(0);
    try {
      manifests.deleteAll(repository.get(), digests.get(), session.actor(ex.remoteAddress()));
    } catch (RegistryException e) {
      pages.refuse(ex, session, Links.repository(name), refusal(e, repository.get()));
      return;
    }
    ex.redirect(Links.repositoryAfterDelete(name, scope == Scope.REPOSITORY
        ? new DeletedNotice(name, DeletedNotice.Kind.REPOSITORY, 0)
        : new DeletedNotice(String.valueOf(digests.get().size()), DeletedNotice.Kind.IMAGES, referrers)));
  }

  private static String referrer(Referrer r) {
    return r.artifactType().orElse(r.mediaType().value()) + " " + r.digest();
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** Why the registry refused, in the preview's words. */
  private static String refusal(RegistryException e, RepositoryName repository) {
    if (e.code() == ErrorCode.MANIFEST_REFERENCED && e.detail() instanceof Map<?, ?> detail
        && detail.get("indexes") instanceof List<?> indexes) {
      return "Not deleted: an index in " + repository.value() + " lists this image ("
          + String.join(", ", indexes.stream().map(Object::toString).toList())
          + "): delete the index first. Nothing was deleted.";
    }
    return "Not deleted: " + e.getMessage() + ". Nothing was deleted.";
  }

  /** Answers with the refusal when the user may not delete in the repository. */
  private boolean mayDelete(WebExchange ex, Frame frame, Session session, RepositoryName repository)
      throws IOException {
    if (permissions.mayDelete(session.principal(), repository)) {
      return true;
    }
    pages.forbidden(ex, frame, "Deleting in " + repository.namespace() + " needs the maintainer or admin role.");
    return false;
  }

  private static Optional<RepositoryName> repository(Optional<String> name) {
    try {
      return name.map(RepositoryName::of);
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }

  /** Empty when one of them is no digest. */
  private static Optional<List<Digest>> digests(List<String> texts) {
    try {
      return Optional.of(texts.stream().map(Digest::parse).distinct().toList());
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Target> target(Optional<String> repository, Optional<String> reference) {
    if (repository.isEmpty() || reference.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Target(RepositoryName.of(repository.get()), Reference.parse(reference.get())));
    } catch (OciFormatException e) {
      return Optional.empty();
    }
  }
}
