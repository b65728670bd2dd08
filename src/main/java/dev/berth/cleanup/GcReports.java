package dev.berth.cleanup;

import java.util.LinkedHashMap;
import java.util.Map;

/** The report as plain JSON-ready data, for history, the admin API and the CLI's --json. */
public final class GcReports {
  private GcReports() {}

  public static Map<String, Object> toMap(GcReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("dryRun", report.dryRun());
    map.put("manifests", report.manifests().stream().map(m -> Map.of(
        "repository", m.repository().value(), "digest", m.digest().toString(), "size", m.size())).toList());
    map.put("blobs", report.blobs().stream().map(b -> Map.of(
        "digest", b.digest().toString(), "size", b.size(),
        "repositories", b.repositories().stream().map(Object::toString).toList())).toList());
    map.put("orphans", report.orphans().stream().map(Object::toString).toList());
    map.put("links", report.links().stream().map(l -> Map.of(
        "repository", l.repository().value(), "digest", l.digest().toString())).toList());
    map.put("uploads", report.uploads());
    map.put("repositories", report.repositories().stream().map(Object::toString).toList());
    map.put("bytesFreed", report.bytesFreed());
    map.put("durationMillis", report.duration().toMillis());
    map.put("warnings", report.warnings());
    map.put("summary", report.summary());
    return map;
  }

  /** One line per deleted manifest and blob, as the CLI prints them and the run log keeps them. */
  public static String manifestLine(GcReport.DeletedManifest m, boolean dryRun) {
    return String.format("%s manifest %s %s %d bytes", dryRun ? "would delete" : "deleted",
        m.repository(), m.digest(), m.size());
  }

  public static String blobLine(GcReport.DeletedBlob b, boolean dryRun) {
    String where = b.repositories().isEmpty() ? "-"
        : String.join(",", b.repositories().stream().map(Object::toString).toList());
    return String.format("%s blob %s %s %d bytes", dryRun ? "would delete" : "deleted", where, b.digest(), b.size());
  }
}
