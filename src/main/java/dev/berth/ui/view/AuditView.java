package dev.berth.ui.view;

import java.util.List;
import java.util.Map;

/**
 * One page of the audit log: who changed what, and when, with the filters it was read through.
 *
 * @param filters what the filter form holds, by field: user, namespace, action, from, until
 * @param actions every action one may filter by
 * @param error why the filters were not understood (empty: they were)
 * @param empty what the page says when it has no entries: that the log is empty, that nothing
 *     matches, or that there is no such page
 */
public record AuditView(Frame frame, Map<String, String> filters, List<String> actions, String error,
    List<Entry> entries, String empty, Paging paging) {
  public record Entry(String at, String actor, String action, String target, String namespace, String detail) {}

  public String filter(String name) {
    return filters.getOrDefault(name, "");
  }
}
