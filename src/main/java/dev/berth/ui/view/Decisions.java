package dev.berth.ui.view;

import java.util.List;

/**
 * A retention run's (or a preview's) decisions, per repository: what is kept and by which rule,
 * what goes and why, with the bytes the next collection frees.
 *
 * @param hidden decisions beyond those shown (a page lists at most a few thousand)
 */
public record Decisions(String summary, List<Repository> repositories, long hidden) {

  public record Repository(String name, long kept, long deleted, long skipped, String bytes, List<Row> rows) {}

  /** @param outcome {@code keep}, {@code delete} (dry: would), {@code skipped} */
  public record Row(String shortDigest, String href, String tags, String outcome, String rule, String reason,
      String bytes) {}
}
