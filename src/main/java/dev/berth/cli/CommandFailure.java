package dev.berth.cli;

/**
 * A command that cannot do what it was asked, for a reason the operator can act on: printed as one
 * line, {@code berth <command>: <message>}, and ended with the status of its kind.
 */
final class CommandFailure extends Exception {
  final ExitStatus status;

  CommandFailure(ExitStatus status, String message) {
    super(message);
    this.status = status;
  }

  CommandFailure(ExitStatus status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }
}
