package dev.berth.ui;

import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.HistoryStore;
import dev.berth.ui.view.AuditView;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.Paging;
import java.io.IOException;
import java.util.List;

/** The audit log, newest first, a page at a time. */
final class AuditController {
  /** Deeper than this, the admin API or the database serves better than paging through a browser. */
  private static final int MAX_PAGES = 100;

  private final HistoryStore history;
  private final Pages pages;

  AuditController(HistoryStore history, Pages pages) {
    this.history = history;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    int page = Math.min(MAX_PAGES, Paging.requested(ex.query("page")));
    // One entry beyond the page says whether there is a next one.
    List<AuditEntry> upToPage = history.recentAudit(page * Paging.SIZE + 1);
    boolean more = upToPage.size() > page * Paging.SIZE && page < MAX_PAGES;
    pages.render(ex, 200, "audit", new AuditView(Pages.frame(session, "Audit log", "audit"),
        Paging.slice(upToPage, page).stream().map(e -> new AuditView.Entry(Format.time(e.at()), e.actor(), e.action(),
            e.target(), e.detail())).toList(), Paging.of(page, more, "/ui/audit?page=")));
  }
}
