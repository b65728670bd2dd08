package dev.berth.ui.view;

import java.util.List;

/** The audit log: who deleted what, and when. */
public record AuditView(Frame frame, List<Entry> entries) {
  public record Entry(String at, String actor, String action, String target, String detail) {}
}
