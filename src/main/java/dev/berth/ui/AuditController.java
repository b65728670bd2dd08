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
    int page = Paging.requested(ex.query("page"));
    // One entry beyond the page says whether there is a next one.
    List<AuditEntry> upToPage = history.recentAudit(Math.min(page, MAX_PAGES) * Paging.SIZE + 1);
    boolean more = upToPage.size() > page * Paging.SIZE && page < MAX_PAGES;
    List<AuditView.Entry> entries = page > MAX_PAGES ? List.of()
        : Paging.slice(upToPage, page).stream().map(e -> new AuditView.Entry(Format.time(e.at()), e.actor(),
            e.action(), e.target(), e.detail())).toList();
    int pagesHeld = (Math.min(upToPage.size(), MAX_PAGES * Paging.SIZE) + Paging.SIZE - 1) / Paging.SIZE;
    String empty = page > MAX_PAGES
        ? "There is no page " + page + ": the console shows the newest " + MAX_PAGES
            + " pages of the log; the admin API (/api/v1/audit) serves older entries."
        : page > 1 ? "There is no page " + page + ": the log has " + pagesHeld + (pagesHeld == 1 ? " page." : " pages.")
        : "Nothing yet.";
    pages.render(ex, 200, "audit", new AuditView(Pages.frame(session, "Audit log", "audit"), entries, empty,
        Paging.of(Math.min(page, MAX_PAGES + 1), more, "/ui/audit?page=")));
  }
}
