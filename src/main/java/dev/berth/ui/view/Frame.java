package dev.berth.ui.view;

import java.util.Map;

/**
 * What every page's layout needs: its title, which menu entry is active, who is signed in (empty on
 * the login page), whether they administer the whole registry (which shows the menu entries only
 * they may open) and the CSRF token for the forms it holds (the session's; on the login page, the
 * login token).
 *
 * @param error why the form posted just before this page was refused (empty: none)
 * @param notice what the form posted just before this page did (empty: nothing to report)
 * @param kept what was typed into the refused form, by the names its template asks {@link #kept(String)} for
 */
public record Frame(String title, String active, String user, boolean systemAdmin, String csrf, String error,
    String notice, Map<String, String> kept) {
  public static Frame anonymous(String title) {
    return new Frame(title, "", "", false, "", "", "", Map.of());
  }

  /** What was typed into the field of a refused form; empty when nothing was. */
  public String kept(String field) {
    return kept.getOrDefault(field, "");
  }

  public boolean signedIn() {
    return !user.isEmpty();
  }
}
