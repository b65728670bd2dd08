package dev.berth.ui.view;

import java.util.List;

/**
 * One page of the searchable list of repositories, with a chart of the largest of all matches.
 *
 * @param matches how many repositories match, over every page
 */
public record RepositoriesView(Frame frame, String query, List<Row> rows, int matches, BarChart largest,
    Paging paging) {
  public record Row(String name, String href, String size, long tags, long manifests, String lastPush) {}
}
