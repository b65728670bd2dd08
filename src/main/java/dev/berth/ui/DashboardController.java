package dev.berth.ui;

import dev.berth.auth.Permissions;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.Inventory;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.InventoryStore.RepositoryUsage;
import dev.berth.oci.RepositoryName;
import dev.berth.ui.view.DashboardView;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.LineChart;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The first page after signing in. A system administrator sees the deployment: storage used, what
 * GC could free, and the trend. Anyone else sees the repositories they may pull and what those
 * hold; the deployment's totals would tell them about namespaces they cannot see.
 */
final class DashboardController {
  private final Inventory inventory;
  private final Permissions permissions;
  private final GcOptions defaults;
  private final Pages pages;

  DashboardController(Inventory inventory, Permissions permissions, GcOptions defaults, Pages pages) {
    this.inventory = inventory;
    this.permissions = permissions;
    this.defaults = defaults;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    if (!permissions.administersRegistry(session.principal())) {
      Predicate<RepositoryName> seeing = permissions.seeing(session.principal());
      List<RepositoryUsage> visible = inventory.repositories("").stream().filter(r -> seeing.test(r.name())).toList();
      pages.render(ex, 200, "dashboard", new DashboardView(Pages.frame(session, "Dashboard", "dashboard"),
          Format.bytesExact(visible.stream().mapToLong(RepositoryUsage::bytes).sum()), 0, visible.size(),
          visible.stream().mapToLong(RepositoryUsage::manifests).sum(), Optional.empty(), Optional.empty(),
          LineChart.of(List.of()), GcOptions.text(defaults.grace()), defaults.deleteUntagged()));
      return;
    }
    Inventory.Overview overview = inventory.overview();
    LineChart chart = LineChart.of(overview.samples().stream()
        .map(s -> new LineChart.Point(s.at(), s.bytes())).toList());
    pages.render(ex, 200, "dashboard", new DashboardView(Pages.frame(session, "Dashboard", "dashboard"),
        Format.bytesExact(overview.totals().liveBytes()), overview.totals().blobs(),
        overview.totals().repositories(), overview.totals().manifests(),
        overview.lastDryRun().map(DashboardController::reclaimable), overview.lastRun().map(RunRows::of), chart,
        GcOptions.text(defaults.grace()), defaults.deleteUntagged()));
  }

  /** A dry run's figure is only as fresh as the run; the page says when it ran. */
  private static String reclaimable(GcRunRecord dryRun) {
    return Format.bytesExact(dryRun.bytesFreed()) + ", by the dry run of "
        + Format.time(dryRun.finishedAt().orElse(dryRun.startedAt()));
  }
}
