package dev.berth.ui.view;

import java.util.List;

/** One page of the audit log: who deleted what, and when. */
public record AuditView(Frame frame, List<Entry> entries, Paging paging) {
  public record Entry(String at, String actor, String action, String target, String detail) {}
}
