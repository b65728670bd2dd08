package dev.berth.ui.view;

/**
 * A page that only says something: not allowed, not found, refused.
 *
 * @param backHref where the page leads back to (empty: the dashboard), named {@code backLabel}
 */
public record MessageView(Frame frame, String heading, String message, String backHref, String backLabel) {
  public MessageView(Frame frame, String heading, String message) {
    this(frame, heading, message, "", "");
  }
}
