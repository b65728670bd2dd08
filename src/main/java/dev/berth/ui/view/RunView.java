package dev.berth.ui.view;

import java.util.List;

/**
 * One run: live progress while it runs (the page reloads itself every second), its report and log
 * once it finished.
 */
public record RunView(Frame frame, GcView.Run run, boolean running, String progress, String summary,
    List<String> log) {}
