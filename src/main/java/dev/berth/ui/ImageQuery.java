package dev.berth.ui;

import dev.berth.cleanup.Inventory;
import dev.berth.oci.Tag;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which of a repository's images its page lists, and in what order: all, only tagged or only
 * untagged ones ({@code show=}); newest first or by tag in version order ({@code sort=tag}: an image
 * by its first tag in {@link VersionOrder}, untagged ones last, newest first).
 */
record ImageQuery(Show show, Sort sort) {
  enum Show {
    ALL, TAGGED, UNTAGGED;

    boolean admits(Inventory.Image image) {
      return switch (this) {
        case ALL -> true;
        case TAGGED -> !image.tags().isEmpty();
        case UNTAGGED -> image.tags().isEmpty();
      };
    }
  }

  enum Sort { PUSHED, TAG }

  static final ImageQuery DEFAULT = new ImageQuery(Show.ALL, Sort.PUSHED);

  private static final Comparator<Inventory.Image> NEWEST_FIRST =
      Comparator.comparing(Inventory.Image::pushedAt).reversed();
  /** Tagged images by their first tag, then untagged ones. */
  private static final Comparator<Inventory.Image> BY_TAG = Comparator
      .comparing((Inventory.Image image) -> firstTag(image), Comparator.nullsLast(VersionOrder.TAGS))
      .thenComparing(NEWEST_FIRST);

  /** Unknown or missing values mean the defaults, as an unknown page number means the first. */
  static ImageQuery of(Optional<String> show, Optional<String> sort) {
    return new ImageQuery(parse(Show.class, show, Show.ALL), parse(Sort.class, sort, Sort.PUSHED));
  }

  List<Inventory.Image> apply(List<Inventory.Image> images) {
    return images.stream().filter(show::admits).sorted(sort == Sort.TAG ? BY_TAG : NEWEST_FIRST).toList();
  }

  ImageQuery show(Show other) {
    return new ImageQuery(other, sort);
  }

  ImageQuery sort(Sort other) {
    return new ImageQuery(show, other);
  }

  /** The query string's parameters, {@code &show=…&sort=…}, leaving out defaults. */
  String parameters() {
    return (show == Show.ALL ? "" : "&show=" + name(show)) + (sort == Sort.PUSHED ? "" : "&sort=" + name(sort));
  }

  private static String firstTag(Inventory.Image image) {
    return VersionOrder.sorted(image.tags()).stream().findFirst().map(Tag::value).orElse(null);
  }

  private static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static <E extends Enum<E>> E parse(Class<E> type, Optional<String> value, E otherwise) {
    for (E constant : type.getEnumConstants()) {
      if (value.isPresent() && name(constant).equals(value.get())) {
        return constant;
      }
    }
    return otherwise;
  }
}
