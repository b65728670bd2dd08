package dev.berth.ui;

import dev.berth.metadata.GcRunRecord;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.GcView;
import java.util.Locale;

/** A GC run as a row of the history, on the GC page and the dashboard. */
final class RunRows {
  private RunRows() {}

  static GcView.Run of(GcRunRecord run) {
    String freed = run.status() == GcRunRecord.Status.SUCCEEDED ? Format.bytesExact(run.bytesFreed()) : "-";
    return new GcView.Run(run.id(), Links.run(run.id()), run.dryRun() ? "dry run" : "collection",
        run.status().name().toLowerCase(Locale.ROOT), run.requestedBy(), Format.time(run.startedAt()), freed);
  }
}
