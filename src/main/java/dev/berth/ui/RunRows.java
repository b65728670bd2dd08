package dev.berth.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcReport;
import dev.berth.metadata.GcRunRecord;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.GcView;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** A GC run as a row of the history, on the GC page and the dashboard. */
final class RunRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunRows() {}

  static GcView.Run of(GcRunRecord run) {
    boolean succeeded = run.status() == GcRunRecord.Status.SUCCEEDED;
    String freed = succeeded ? Format.bytesExact(run.bytesFreed()) : "-";
    String options = (run.deleteUntagged() ? "untagged images too, " : "") + "grace " + GcOptions.text(run.grace());
    String duration = run.finishedAt().map(end -> Duration.between(run.startedAt(), end).toMillis())
        .map(ms -> String.format(Locale.ROOT, "%.1f s", ms / 1000.0)).orElse("-");
    String kept = !succeeded ? "-" : keptByGrace(run).filter(GcReport.KeptByGrace::any)
        .map(k -> k.manifests() + " manifests, " + k.blobs() + " blobs").orElse("none");
    return new GcView.Run(run.id(), Links.run(run.id()), run.dryRun() ? "dry run" : "collection",
        run.status().name().toLowerCase(Locale.ROOT), run.requestedBy(), run.trigger(), options, duration, kept,
        Format.time(run.startedAt()), freed);
  }

  /** What the grace period kept, from the run's report; empty for a run without one. */
  static Optional<GcReport.KeptByGrace> keptByGrace(GcRunRecord run) {
    return run.report().flatMap(report -> {
      try {
        JsonNode json = JSON.readTree(report);
        return Optional.of(new GcReport.KeptByGrace(Duration.ofSeconds(json.path("graceSeconds").asLong()),
            json.path("manifestsKeptByGrace").asLong(), json.path("blobsKeptByGrace").asLong()));
      } catch (IOException e) {
        return Optional.empty();
      }
    });
  }
}
