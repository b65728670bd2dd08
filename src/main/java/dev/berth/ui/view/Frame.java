package dev.berth.ui.view;

/**
 * What every page's layout needs: its title, which menu entry is active, who is signed in (empty on
 * the login page), whether they administer the whole registry (which shows the menu entries only
 * they may open) and the CSRF token for the forms it holds (the session's; on the login page, the
 * login token).
 *
 * @param error why the form posted just before this page was refused (empty: none)
 */
public record Frame(String title, String active, String user, boolean systemAdmin, String csrf, String error) {
  public static Frame anonymous(String title) {
    return new Frame(title, "", "", false, "", "");
  }

  public boolean signedIn() {
    return !user.isEmpty();
  }
}
