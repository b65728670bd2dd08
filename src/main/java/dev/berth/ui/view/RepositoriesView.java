package dev.berth.ui.view;

import java.util.List;

/** The searchable list of repositories, with a chart of the largest. */
public record RepositoriesView(Frame frame, String query, List<Row> rows, BarChart largest) {
  public record Row(String name, String href, String size, long tags, long manifests, String lastPush) {}
}
