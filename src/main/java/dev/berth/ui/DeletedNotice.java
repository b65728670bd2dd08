package dev.berth.ui;

import dev.berth.ui.view.DeleteWords;
import java.util.Arrays;
import java.util.Optional;

/**
 * The line a repository page shows once after a delete, saying what the delete did in the
 * preview's words. It travels in the redirect's query string; a forged one only changes what its
 * own reader sees, and the reference is escaped like any text.
 *
 * @param referrers for an image or several: how many referrers they left behind
 */
record DeletedNotice(String reference, Kind kind, int referrers) {

  enum Kind {
    /** A tag whose image keeps other tags. */
    TAG_SHARED("tag-shared"),
    /** The image's last tag. */
    TAG_LAST("tag-last"),
    IMAGE("image"),
    /** Several images at once: the reference is how many. */
    IMAGES("images"),
    /** Every manifest of a repository: the reference is the repository. */
    REPOSITORY("repository"),
    /** A link from before outcomes were carried: nothing is claimed. */
    UNKNOWN("");

    private final String id;

    Kind(String id) {
      this.id = id;
    }
  }

  /** The query parameters after the repository's link. */
  String query() {
    return "&deleted=" + Links.encode(reference) + "&outcome=" + kind.id
        + (referrers > 0 ? "&referrers=" + referrers : "");
  }

  static Optional<DeletedNotice> of(WebExchange ex) {
    return ex.query("deleted").filter(r -> !r.isEmpty()).map(reference -> new DeletedNotice(reference,
        Arrays.stream(Kind.values()).filter(k -> ex.query("outcome").orElse("").equals(k.id)).findFirst()
            .orElse(Kind.UNKNOWN),
        ex.query("referrers").map(DeletedNotice::count).orElse(0)));
  }

  String text() {
    return switch (kind) {
      case TAG_SHARED -> "Deleted tag " + reference + ". The image keeps its other tags, so no bytes are freed.";
      case TAG_LAST -> "Deleted tag " + reference + ". The image is now untagged: it stays until a garbage"
          + " collection that deletes untagged images (--delete-untagged) deletes it and frees its bytes.";
      case IMAGE -> "Deleted " + reference + ". Its bytes come back with the next garbage collection."
          + (referrers > 0 ? " " + DeleteWords.referrersStay(referrers) + "." : "");
      case IMAGES -> "Deleted " + reference + " images. Their bytes come back with the next garbage collection."
          + (referrers > 0 ? " " + DeleteWords.referrersStay("Their", referrers) + "." : "");
      case REPOSITORY -> "Deleted every image of " + reference + ". Its bytes come back with the next garbage"
          + " collection, which then removes the empty repository.";
      case UNKNOWN -> "Deleted " + reference + ".";
    };
  }

  private static int count(String text) {
    try {
      return Math.max(0, Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
