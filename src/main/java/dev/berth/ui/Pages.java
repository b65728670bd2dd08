package dev.berth.ui;

import dev.berth.ui.view.Frame;
import dev.berth.ui.view.MessageView;
import java.io.IOException;

/** Renders pages for a request: the frame of the signed-in session, and the common refusals. */
final class Pages {
  private final Templates templates;

  Pages(Templates templates) {
    this.templates = templates;
  }

  static Frame frame(Session session, String title, String active) {
    return new Frame(title, active, session.principal().name(), session.principal().systemAdmin(),
        session.csrfToken());
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
