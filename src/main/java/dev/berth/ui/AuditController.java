package dev.berth.ui;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.AuditFilter;
import dev.berth.metadata.HistoryStore;
import dev.berth.ui.view.AuditView;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.Paging;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The audit log, newest first, a page at a time, filtered by user, namespace, action and time range. */
final class AuditController {
  /** Deeper than this, the admin API or the database serves better than paging through a browser. */
  private static final int MAX_PAGES = 100;
  private static final List<String> FILTERS = List.of("user", "namespace", "action", "from", "until");

  private final HistoryStore history;
  private final Pages pages;

  AuditController(HistoryStore history, Pages pages) {
    this.history = history;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    Map<String, String> typed = new LinkedHashMap<>();
    FILTERS.forEach(name -> typed.put(name, ex.query(name).map(String::strip).orElse("")));
    List<String> actions = Arrays.stream(AuditAction.values()).map(AuditAction::wire).sorted().toList();
    AuditFilter filter;
    try {
      filter = AuditFilter.parse(ex.query("user"), ex.query("namespace"), ex.query("action"), ex.query("from"),
          ex.query("until"));
    } catch (IllegalArgumentException e) {
      pages.render(ex, 400, "audit", new AuditView(Pages.frame(session, "Audit log", "audit"), typed, actions,
          "Not filtered: " + e.getMessage() + ".", List.of(), "", Paging.of(1, false, "/ui/audit?page=")));
      return;
    }
    int page = Paging.requested(ex.query("page"));
    // One entry beyond the page says whether there is a next one.
    List<AuditEntry> upToPage = history.audit(filter, Math.min(page, MAX_PAGES) * Paging.SIZE + 1);
    boolean more = upToPage.size() > page * Paging.SIZE && page < MAX_PAGES;
    List<AuditView.Entry> entries = page > MAX_PAGES ? List.of()
        : Paging.slice(upToPage, page).stream().map(e -> new AuditView.Entry(Format.time(e.at()), e.actor(),
            e.action(), e.target(), e.namespace().orElse(""), e.detail())).toList();
    int pagesHeld = (Math.min(upToPage.size(), MAX_PAGES * Paging.SIZE) + Paging.SIZE - 1) / Paging.SIZE;
    String empty = page > MAX_PAGES
        ? "There is no page " + page + ": the console shows the newest " + MAX_PAGES
            + " pages of the log; the admin API (/api/v1/audit) serves older entries."
        : page > 1 ? "There is no page " + page + ": the log has " + pagesHeld + (pagesHeld == 1 ? " page." : " pages.")
        : filter.isAny() ? "Nothing yet." : "No entry matches these filters.";
    String query = typed.entrySet().stream().filter(e -> !e.getValue().isEmpty())
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8) + "&")
        .collect(Collectors.joining());
    pages.render(ex, 200, "audit", new AuditView(Pages.frame(session, "Audit log", "audit"), typed, actions, "",
        entries, empty, Paging.of(Math.min(page, MAX_PAGES + 1), more, "/ui/audit?" + query + "page=")));
  }
}
