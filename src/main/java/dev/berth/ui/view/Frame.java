package dev.berth.ui.view;

/**
 * What every page's layout needs: its title, which menu entry is active, who is signed in (empty on
 * the login page) and the CSRF token for the forms it holds (the session's; on the login page, the
 * login token).
 */
public record Frame(String title, String active, String user, String csrf) {
  public static Frame anonymous(String title) {
    return new Frame(title, "", "", "");
  }

  public boolean signedIn() {
    return !user.isEmpty();
  }
}
