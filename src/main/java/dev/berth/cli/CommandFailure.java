package dev.berth.cli;

import java.util.List;

/**
 * A command that cannot do what it was asked, for a reason the operator can act on: printed as one
 * line, {@code berth <command>: <message>}, then one such line per detail (each problem of an
 * invalid document), and ended with the status of its kind.
 */
final class CommandFailure extends Exception {
  final ExitStatus status;
  final List<String> details;

  CommandFailure(ExitStatus status, String message) {
    this(status, message, List.of());
  }

  CommandFailure(ExitStatus status, String message, List<String> details) {
    super(message);
    this.status = status;
    this.details = List.copyOf(details);
  }

  CommandFailure(ExitStatus status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.details = List.of();
  }
}
