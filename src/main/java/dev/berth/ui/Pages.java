package dev.berth.ui;

import dev.berth.ui.view.Frame;
import dev.berth.ui.view.MessageView;
import java.io.IOException;
import java.util.Map;

/**
 * Renders pages for a request: the frame of the signed-in session, the common refusals, and a
 * refused form's redirect to the page that says why.
 */
final class Pages {
  private final Templates templates;
  private final SessionStore sessions;

  Pages(Templates templates, SessionStore sessions) {
    this.templates = templates;
    this.sessions = sessions;
  }

  static Frame frame(Session session, String title, String active) {
    Flash flash = Flash.decode(session.flash());
    return new Frame(title, active, session.principal().name(), session.principal().systemAdmin(),
        session.csrfToken(), flash.refused() ? flash.message() : "", flash.refused() ? "" : flash.message(),
        flash.kept());
  }

  /**
   * A form's input or the state it met refused the change: redirect (303) to {@code location}, whose
   * page says {@code why} once, so that reloading it does not post the form again.
   */
  void refuse(WebExchange ex, Session session, String location, String why) throws IOException {
    refuse(ex, session, location, why, Map.of());
  }

  /** As {@link #refuse(WebExchange, Session, String, String)}, the form on that page showing {@code kept} again. */
  void refuse(WebExchange ex, Session session, String location, String why, Map<String, String> kept)
      throws IOException {
    sessions.flash(session, Flash.refusal(why, kept).encode());
    ex.redirect(location);
  }

  /** A form's change is made: redirect (303) to {@code location}, whose page says {@code what} once. */
  void done(WebExchange ex, Session session, String location, String what) throws IOException {
    sessions.flash(session, Flash.done(what).encode());
    ex.redirect(location);
  }

  void render(WebExchange ex, int status, String template, Object model) throws IOException {
    ex.html(status, templates.render(template, model));
  }

  void message(WebExchange ex, int status, Frame frame, String heading, String message) throws IOException {
    render(ex, status, "message", new MessageView(frame, heading, message));
  }

  void notFound(WebExchange ex, Frame frame, String what) throws IOException {
    message(ex, 404, frame, "Not found", what);
  }

  void forbidden(WebExchange ex, Frame frame, String why) throws IOException {
    message(ex, 403, frame, "Not allowed", why + " Nothing was changed.");
  }
}
