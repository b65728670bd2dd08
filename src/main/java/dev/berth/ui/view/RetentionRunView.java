package dev.berth.ui.view;

/** One retention run: who asked, how it went, and every decision it made. */
public record RetentionRunView(Frame frame, String namespace, String startedAt, String requestedBy, String trigger,
    boolean dryRun, String status, boolean running, String error, Decisions decisions) {}
