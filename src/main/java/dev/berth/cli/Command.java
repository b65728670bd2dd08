package dev.berth.cli;

import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * A berth command: the options and arguments it takes, and what it does with them once commons-cli
 * has parsed them ({@link Cli} does that, and help, for every command).
 */
interface Command {
  /** Its first line is the command's entry in the list of commands. */
  String description();

  /** Built only for the command being run or whose help is shown, so start-up pays for one command's options. */
  default Options options() {
    return new Options();
  }

  /** The names of the positional arguments, all required, in order. */
  default List<String> parameters() {
    return List.of();
  }

  /**
   * The exit status, one of {@link ExitStatus}'s codes. A failure the operator can act on is thrown
   * as a {@link CommandFailure}, a configuration problem as a ConfigException.
   */
  int run(CommandLine line) throws Exception;
}
