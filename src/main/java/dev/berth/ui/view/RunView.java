package dev.berth.ui.view;

import java.util.List;

/**
 * One run: live progress while it runs (the page reloads itself every second), its report and log
 * once it finished, and one page of what it removed.
 *
 * @param keptByGrace what only the grace period kept, as a sentence (empty: nothing)
 * @param log the run's phases and warnings
 * @param items one line per removed manifest, link, blob or repository, this page's
 */
public record RunView(Frame frame, GcView.Run run, boolean running, String progress, String summary,
    String keptByGrace, List<String> log, List<String> items, Paging paging) {}
