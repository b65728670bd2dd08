package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * One page of a long list (repositories, images, audit entries), so a registry with ten thousand
 * repositories never renders them on one page; links to the neighbouring pages keep the rest of
 * the query.
 *
 * @param previous the link to the page before, empty on the first
 * @param next the link to the page after, empty on the last
 * @param range which rows of how many this page shows ({@code 51-100 of 312}), where the total is
 *     known and the page holds rows; else empty
 */
public record Paging(int number, String previous, String next, String range) {
  public static final int SIZE = 50;
  /** Far beyond any list's end, and small enough that row arithmetic never overflows an int. */
  private static final int MAX_PAGE = 1_000_000;

  public boolean shown() {
    return !previous.isEmpty() || !next.isEmpty();
  }

  /** The rows of page {@code number} (from 1) of {@code all}. */
  public static <T> List<T> slice(List<T> all, int number) {
    int from = Math.min(all.size(), (number - 1) * SIZE);
    return all.subList(from, Math.min(all.size(), from + SIZE));
  }

  /** {@code more}: whether rows follow this page. {@code link} ends where the page number goes. */
  public static Paging of(int number, boolean more, String link) {
    return new Paging(number, number > 1 ? link + (number - 1) : "", more ? link + (number + 1) : "", "");
  }

  /** Page {@code number} of a list of {@code total} rows, saying which of them it shows. */
  public static Paging of(int number, int total, String link) {
    int from = (number - 1) * SIZE + 1;
    String range = from > total ? "" : from + "-" + Math.min(total, number * SIZE) + " of " + total;
    return new Paging(number, number > 1 ? link + (number - 1) : "", number * SIZE < total ? link + (number + 1) : "",
        range);
  }

  /** The page a request asks for: {@code page=N}, 1 when absent or not a positive number. */
  public static int requested(Optional<String> page) {
    try {
      return Math.min(MAX_PAGE, Math.max(1, page.map(Integer::parseInt).orElse(1)));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
