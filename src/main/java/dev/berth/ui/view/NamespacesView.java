package dev.berth.ui.view;

import java.util.List;

/**
 * The namespaces a user belongs to (a system administrator: every one known), linked where they
 * may manage it.
 *
 * @param openAny whether the page offers to open any namespace by name (system administrators)
 */
public record NamespacesView(Frame frame, List<Row> namespaces, boolean openAny) {
  /** {@code href} is empty where the user may not manage the namespace. */
  public record Row(String name, String role, String href) {}
}
