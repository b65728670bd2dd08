package dev.berth.ui.view;

import java.util.List;

/**
 * One page of the audit log: who deleted what, and when.
 *
 * @param empty what the page says when it has no entries: that the log is empty, or that there is
 *     no such page
 */
public record AuditView(Frame frame, List<Entry> entries, String empty, Paging paging) {
  public record Entry(String at, String actor, String action, String target, String detail) {}
}
