package dev.berth.ui;

import dev.berth.metadata.HistoryStore;
import dev.berth.ui.view.AuditView;
import dev.berth.ui.view.Format;
import java.io.IOException;

/** The audit log, newest first. */
final class AuditController {
  private static final int SHOWN = 200;

  private final HistoryStore history;
  private final Pages pages;

  AuditController(HistoryStore history, Pages pages) {
    this.history = history;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    pages.render(ex, 200, "audit", new AuditView(Pages.frame(session, "Audit log", "audit"),
        history.recentAudit(SHOWN).stream().map(e -> new AuditView.Entry(Format.time(e.at()), e.actor(), e.action(),
            e.target(), e.detail())).toList()));
  }
}
