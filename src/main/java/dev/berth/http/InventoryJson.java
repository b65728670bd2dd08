package dev.berth.http;

import dev.berth.cleanup.Inventory;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.InventoryStore;
import dev.berth.oci.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The admin API's JSON shapes for what fills the disk: repositories, images, totals. */
final class InventoryJson {
  private InventoryJson() {}

  static Map<String, Object> repository(InventoryStore.RepositoryUsage usage) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", usage.name().value());
    body.put("bytes", usage.bytes());
    body.put("tags", usage.tags());
    body.put("manifests", usage.manifests());
    usage.lastPush().ifPresent(at -> body.put("lastPush", at.toString()));
    return body;
  }

  static Map<String, Object> image(Inventory.Image image) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("digest", image.digest().toString());
    body.put("mediaType", image.mediaType().value());
    image.artifactType().ifPresent(type -> body.put("artifactType", type));
    body.put("size", image.size());
    body.put("pushedAt", image.pushedAt().toString());
    image.lastPulledAt().ifPresent(at -> body.put("lastPulledAt", at.toString()));
    body.put("tags", image.tags().stream().map(Tag::value).toList());
    body.put("platforms", image.platforms());
    body.put("annotations", image.annotations());
    image.missingSubject().ifPresent(subject -> body.put("missingSubject", subject.toString()));
    body.put("referrers", image.referrers().stream().map(r -> Map.of("digest", r.digest().toString(),
        "artifactType", r.artifactType(), "size", r.size(), "annotations", r.annotations())).toList());
    return body;
  }

  static Map<String, Object> overview(Inventory.Overview overview) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("liveBytes", overview.totals().liveBytes());
    body.put("blobs", overview.totals().blobs());
    body.put("repositories", overview.totals().repositories());
    body.put("manifests", overview.totals().manifests());
    overview.lastRun().ifPresent(run -> body.put("lastRun", run(run)));
    overview.lastDryRun().ifPresent(run -> body.put("lastDryRun", run(run)));
    body.put("samples", overview.samples().stream()
        .map(s -> Map.of("at", s.at().toString(), "bytes", s.bytes())).toList());
    return body;
  }

  static Map<String, Object> run(GcRunRecord run) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", run.id());
    body.put("status", status(run));
    body.put("requestedBy", run.requestedBy());
    body.put("trigger", run.trigger());
    body.put("dryRun", run.dryRun());
    body.put("deleteUntagged", run.deleteUntagged());
    body.put("graceSeconds", run.grace().toSeconds());
    body.put("startedAt", run.startedAt().toString());
    run.finishedAt().ifPresent(f -> body.put("finishedAt", f.toString()));
    body.put("bytesFreed", run.bytesFreed());
    return body;
  }

  static String status(GcRunRecord run) {
    return run.status().name().toLowerCase(Locale.ROOT);
  }

  static List<Map<String, Object>> images(List<Inventory.Image> images) {
    return images.stream().map(InventoryJson::image).toList();
  }
}
