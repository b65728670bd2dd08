package dev.berth.cli;

/**
 * Berth's exit statuses: one per kind of outcome, the same for every command, so that a script can
 * tell "not there" from "not now" from "misconfigured" without reading the message. Listed in
 * {@code berth --help}.
 */
enum ExitStatus {
  OK(0, "success"),
  FAILED(1, "the command ran and failed, or found problems (fsck); a GC run that did not succeed"),
  USAGE(2, "a mistake on the command line, or a value a command cannot take (a bad name or role, an invalid policy)"),
  NOT_FOUND(3, "what the command names does not exist: the data directory, a user, robot, role, policy or file"),
  EXISTS(4, "what the command would create exists already"),
  UNAVAILABLE(69, "something it needs is not available: the address is in use, another process serves "
      + "the data directory, the database cannot be opened, the server went away during a run"),
  CANNOT_WRITE(73, "the data directory cannot be created or written"),
  CONFIG(78, "the configuration cannot be used (sysexits' EX_CONFIG)");

  final int code;
  final String meaning;

  ExitStatus(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }
}
