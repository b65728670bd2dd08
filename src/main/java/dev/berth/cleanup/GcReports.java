package dev.berth.cleanup;

import dev.berth.metadata.GcRunItem;
import dev.berth.oci.RepositoryName;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reports and items as plain JSON-ready data and as the lines the CLI prints, for every reader alike. */
public final class GcReports {
  private GcReports() {}

  public static Map<String, Object> toMap(GcReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("dryRun", report.dryRun());
    map.put("manifests", report.manifests());
    map.put("blobs", report.blobs());
    map.put("orphans", report.orphans());
    map.put("links", report.links());
    map.put("uploads", report.uploads());
    map.put("repositories", report.repositories());
    map.put("bytesFreed", report.bytesFreed());
    map.put("durationMillis", report.duration().toMillis());
    map.put("warnings", report.warnings());
    map.put("warningCount", report.warningCount());
    map.put("graceSeconds", report.keptByGrace().grace().toSeconds());
    map.put("manifestsKeptByGrace", report.manifestsKeptByGrace());
    map.put("blobsKeptByGrace", report.blobsKeptByGrace());
    map.put("summary", report.summary());
    return map;
  }

  public static Map<String, Object> toMap(GcRunItem item, boolean dryRun) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("seq", item.seq());
    map.put("kind", item.kind().name().toLowerCase(Locale.ROOT));
    map.put("repositories", item.repositories().stream().map(RepositoryName::value).toList());
    item.digest().ifPresent(digest -> map.put("digest", digest.toString()));
    map.put("size", item.size());
    map.put("line", line(item, dryRun));
    return map;
  }

  /**
   * One line per item, as the CLI prints it: "deleted manifest REPO DIGEST N bytes", "deleted blob
   * REPOS DIGEST N bytes" (REPOS comma-separated, "-" for none), and alike for links, orphans and
   * repositories; "would delete" in a dry run.
   */
  public static String line(GcRunItem item, boolean dryRun) {
    String mood = dryRun ? "would delete" : "deleted";
    String where = item.repositories().isEmpty() ? "-"
        : String.join(",", item.repositories().stream().map(RepositoryName::value).toList());
    String digest = item.digest().map(Object::toString).orElse("");
    return switch (item.kind()) {
      case MANIFEST, BLOB -> String.format("%s %s %s %s %d bytes", mood,
          item.kind().name().toLowerCase(Locale.ROOT), where, digest, item.size());
      case LINK -> String.format("%s link %s %s", mood, where, digest);
      case ORPHAN -> String.format("%s orphaned blob %s %d bytes", mood, digest, item.size());
      case REPOSITORY -> String.format("%s empty repository %s", mood, where);
    };
  }

  public static String line(GcItem item, boolean dryRun) {
    return line(item.toRecord(1), dryRun);
  }
}
