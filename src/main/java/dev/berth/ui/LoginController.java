package dev.berth.ui;

import dev.berth.auth.AccessControl;
import dev.berth.auth.AccessDeniedException;
import dev.berth.auth.Principal;
import dev.berth.ui.view.Frame;
import dev.berth.ui.view.LoginView;
import java.io.IOException;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;

/** Signing in and out. Every user gets a session; robot accounts are told the console is not for them. */
final class LoginController {
  static final String COOKIE = "berth_session";
  /**
   * Login CSRF: before there is a session, the form's token is paired with this cookie (double
   * submit), so another site cannot sign a browser in under an account of its choosing.
   */
  static final String LOGIN_COOKIE = "berth_login";

  private final AccessControl access;
  private final SessionStore sessions;
  private final Pages pages;

  LoginController(AccessControl access, SessionStore sessions, Pages pages) {
    this.access = access;
    this.sessions = sessions;
    this.pages = pages;
  }

  void form(WebExchange ex) throws IOException {
    render(ex, 200, "", "");
  }

  void login(WebExchange ex) throws IOException {
    Optional<String> expected = ex.cookie(LOGIN_COOKIE).filter(token -> !token.isEmpty());
    if (expected.isEmpty() || !CsrfGuard.matches(expected.get(), ex.field(CsrfGuard.FIELD))) {
      pages.message(ex, 403, Frame.anonymous("Refused"), "Refused",
          "This sign-in form did not come from this console; reload the sign-in page and try again.");
      return;
    }
    String name = ex.field("username").orElse("").strip();
    String password = ex.field("password").orElse("");
    Optional<Principal> principal;
    try {
      principal = access.login(name, password, ex.remoteAddress());
    } catch (AccessDeniedException e) {
      refuse(ex, 429, name, "Too many failed sign-ins for this name; wait a few minutes and try again.");
      return;
    }
    if (principal.isEmpty()) {
      refuse(ex, 401, name, "Wrong user name or password.");
      return;
    }
    // Sessions follow the user's stored record (see ConsoleHandler), which robots and htpasswd users lack.
    if (principal.get().kind() != Principal.Kind.USER || access.currentUser(name).isEmpty()) {
      pages.message(ex, 403, Frame.anonymous("Not allowed"), "Not allowed",
          "The console is for Berth's users; robot accounts and htpasswd users use the registry API.");
      return;
    }
    Session session = sessions.create(principal.get());
    ex.setCookie(cookie(LOGIN_COOKIE, "", ex.secure(), 0));
    ex.setCookie(cookie(COOKIE, session.id(), ex.secure(), -1));
    ex.redirect(Links.HOME);
  }

  void logout(WebExchange ex, Session session) throws IOException {
    sessions.remove(session.id());
    ex.setCookie(cookie(COOKIE, "", ex.secure(), 0));
    ex.redirect(Links.LOGIN);
  }

  private void refuse(WebExchange ex, int status, String name, String error) throws IOException {
    render(ex, status, name, error);
  }

  /** The form, with a fresh login token in it and in its cookie. */
  private void render(WebExchange ex, int status, String name, String error) throws IOException {
    String token = SessionStore.randomToken();
    ex.setCookie(cookie(LOGIN_COOKIE, token, ex.secure(), -1));
    pages.render(ex, status, "login", new LoginView(new Frame("Sign in", "", "", false, token, "", "", java.util.Map.of()), name, error));
  }

  /**
   * HttpOnly: no script reads it. SameSite=Strict: no other site's page sends it. Secure over
   * HTTPS. No max-age: it ends with the browser; the server's idle timeout ends it sooner.
   */
  private static HttpCookie cookie(String name, String value, boolean secure, long maxAgeSeconds) {
    return HttpCookie.build(name, value)
        .path("/")
        .httpOnly(true)
        .sameSite(HttpCookie.SameSite.STRICT)
        .secure(secure)
        .maxAge(maxAgeSeconds)
        .build();
  }
}
