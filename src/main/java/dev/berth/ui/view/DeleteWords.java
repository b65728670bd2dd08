package dev.berth.ui.view;

/**
 * What the preview promises and what the page after the delete reports, in the same words, so the
 * two cannot drift apart.
 */
public final class DeleteWords {
  private DeleteWords() {}

  /**
   * A deleted manifest's referrers: the registry keeps them, readable by digest, until a collection
   * finds their subject gone (as Docker Registry does), and a collection spares what is younger than
   * its grace period.
   */
  public static String referrersStay(int count) {
    return referrersStay("Its", count);
  }

  /** As {@link #referrersStay(int)}, for the referrers of {@code owner} ("Its", "Their"). */
  public static String referrersStay(String owner, int count) {
    return count == 1
        ? owner + " referrer stays, readable by digest, until the next garbage collection deletes it"
            + " (once it is older than the collection's grace period)"
        : owner + " " + count + " referrers stay, readable by digest, until the next garbage collection deletes them"
            + " (once they are older than the collection's grace period)";
  }

  /**
   * The mark on a repository page's row for a referrer whose subject is not in the repository
   * (deleted, or never pushed): nothing keeps it, whether or not a collection deletes untagged images.
   */
  public static String orphanedReferrer(String subjectShortDigest) {
    return "referrer of " + subjectShortDigest + ", which is gone: the next garbage collection deletes it"
        + " once it is older than the grace period";
  }
}
