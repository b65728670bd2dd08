package dev.berth.ui;

import dev.berth.auth.AccessDeniedException;
import dev.berth.auth.Administration;
import dev.berth.auth.NotPermittedException;
import dev.berth.ui.view.AccountView;
import java.io.IOException;

/** The signed-in user's own account: what they may do where, and changing their password. */
final class AccountController {
  private final Administration administration;
  private final Pages pages;

  AccountController(Administration administration, Pages pages) {
    this.administration = administration;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    pages.render(ex, 200, "account", new AccountView(Pages.frame(session, "Account", "account"),
        session.principal().systemAdmin(), session.principal().roles().entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue().id()).sorted().toList(),
        ex.query("changed").isPresent() ? "Your password was changed." : ""));
  }

  /** The current password is asked for, so a browser left signed in cannot have its password taken over. */
  void changePassword(WebExchange ex, Session session) throws IOException {
    String password = ex.field("password").orElse("");
    if (!password.equals(ex.field("repeat").orElse(""))) {
      pages.refuse(ex, session, Links.ACCOUNT, "The new password and its repetition differ.");
      return;
    }
    try {
      administration.changePassword(session.principal(), session.principal().name(), ex.field("current"), password,
          ex.remoteAddress());
    } catch (IllegalArgumentException e) {
      pages.refuse(ex, session, Links.ACCOUNT, e.getMessage());
      return;
    } catch (NotPermittedException e) {
      pages.refuse(ex, session, Links.ACCOUNT, "The current password is wrong; nothing was changed.");
      return;
    } catch (AccessDeniedException e) {
      pages.refuse(ex, session, Links.ACCOUNT, "Too many wrong passwords; wait a few minutes and try again.");
      return;
    }
    ex.redirect(Links.ACCOUNT + "?changed");
  }
}
