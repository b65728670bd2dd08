package dev.berth.ui;

import dev.berth.metadata.RetentionStore.Outcome;
import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.oci.Tag;
import dev.berth.ui.view.Decisions;
import dev.berth.ui.view.Format;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Groups a run's decisions by repository for a page, keeping at most {@link #SHOWN} rows. */
final class DecisionTables implements java.util.function.Consumer<RunItem> {
  static final int SHOWN = 2000;

  private final boolean dryRun;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private long shown;
  private long hidden;

  DecisionTables(boolean dryRun) {
    this.dryRun = dryRun;
  }

  private static final class Group {
    long kept;
    long deleted;
    long skipped;
    long bytes;
    final List<Decisions.Row> rows = new ArrayList<>();
  }

  @Override
  public void accept(RunItem item) {
    Group group = groups.computeIfAbsent(item.repository().value(), r -> new Group());
    switch (item.outcome()) {
      case KEPT -> group.kept++;
      case DELETED -> group.deleted++;
      case SKIPPED -> group.skipped++;
    }
    group.bytes += item.bytes();
    if (shown >= SHOWN) {
      hidden++;
      return;
    }
    shown++;
    String outcome = switch (item.outcome()) {
      case KEPT -> "keep";
      case DELETED -> dryRun ? "would delete" : "deleted";
      case SKIPPED -> "skipped";
    };
    group.rows.add(new Decisions.Row(Format.shortDigest(item.digest().toString()),
        Links.artifact(item.repository().value(), item.digest().toString()),
        item.tags().isEmpty() ? "untagged" : String.join(", ", item.tags().stream().map(Tag::value).toList()),
        outcome, item.rule().orElse(""), item.outcome() == Outcome.KEPT ? "" : item.reason(),
        item.bytes() == 0 ? "" : Format.bytes(item.bytes())));
  }

  Decisions decisions(String summary) {
    return new Decisions(summary, groups.entrySet().stream().map(e -> new Decisions.Repository(e.getKey(),
        e.getValue().kept, e.getValue().deleted, e.getValue().skipped, Format.bytes(e.getValue().bytes),
        e.getValue().rows)).toList(), hidden);
  }
}
