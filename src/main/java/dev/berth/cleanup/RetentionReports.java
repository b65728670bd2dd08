package dev.berth.cleanup;

import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.metadata.RetentionStore.RunRecord;
import dev.berth.metadata.RetentionStore.Totals;
import dev.berth.oci.Tag;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a retention run's decisions and totals read: one line each for people, maps for JSON. */
public final class RetentionReports {
  private RetentionReports() {}

  /** {@code would delete team/app@sha256:... tags: 1.2, rc-3}, and the same for kept and skipped images. */
  public static String line(RunItem item, boolean dryRun) {
    String verb = switch (item.outcome()) {
      case KEPT -> "keep";
      case DELETED -> dryRun ? "would delete" : "deleted";
      case SKIPPED -> "skipped";
    };
    String tags = item.tags().isEmpty() ? "none" : String.join(", ", item.tags().stream().map(Tag::value).toList());
    String line = verb + " " + item.repository() + "@" + item.digest() + " tags: " + tags;
    return switch (item.outcome()) {
      case KEPT -> line + " (" + item.rule().orElse("") + ")";
      case DELETED -> line;
      case SKIPPED -> line + " (" + item.reason() + ")";
    };
  }

  /** The closing line: counts, and what the next collection frees. */
  public static String summary(boolean dryRun, Totals totals) {
    return String.format(java.util.Locale.ROOT,
        "%s: %d images, %d kept, %d %s, %d skipped, %d no rule covers; the next GC %s %d bytes",
        dryRun ? "retention dry run" : "retention", totals.images(), totals.kept(), totals.deleted(),
        dryRun ? "would be deleted" : "deleted", totals.skipped(),
        totals.images() - totals.kept() - totals.deleted() - totals.skipped(), dryRun ? "would free" : "frees",
        totals.bytesFreed());
  }

  public static Map<String, Object> toMap(RunItem item) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("seq", item.seq());
    map.put("repository", item.repository().value());
    map.put("digest", item.digest().toString());
    map.put("tags", item.tags().stream().map(Tag::value).toList());
    map.put("outcome", item.outcome().name().toLowerCase(java.util.Locale.ROOT));
    map.put("rule", item.rule().orElse(null));
    map.put("reason", item.reason());
    map.put("bytes", item.bytes());
    return map;
  }

  public static Map<String, Object> toMap(RunRecord run) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", run.id());
    map.put("namespace", run.namespace().orElse(null));
    map.put("requestedBy", run.requestedBy());
    map.put("trigger", run.trigger());
    map.put("dryRun", run.dryRun());
    map.put("status", run.status().name().toLowerCase(java.util.Locale.ROOT));
    map.put("startedAt", run.startedAt().toString());
    map.put("finishedAt", run.finishedAt().map(Object::toString).orElse(null));
    Totals totals = run.totals();
    map.put("images", totals.images());
    map.put("kept", totals.kept());
    map.put("deleted", totals.deleted());
    map.put("skipped", totals.skipped());
    map.put("bytesFreed", totals.bytesFreed());
    map.put("error", run.error().orElse(null));
    map.put("summary", summary(run.dryRun(), totals));
    return map;
  }
}
