package dev.berth.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code berth}: the command users run. Exit codes: 0 success, 1 failure at run time, 2 bad usage,
 * 78 unusable configuration (sysexits' EX_CONFIG).
 */
public final class Main {
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_CONFIG = 78;

  static final Commands COMMANDS = new Commands("An OCI Distribution registry with safe, online storage reclamation.")
      .add("serve", ServeCommand::new)
      .add("gc", GcCommand::new)
      .add("fsck", FsckCommand::new)
      .add("user", UserCommand::commands)
      .add("training-run", TrainingRunCommand::new);

  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out, System.err);
    } catch (Exception e) {
      // A failure at run time: its stack trace for the bug report, and exit status 1 even when
      // threads the command started would keep the JVM alive.
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    return Cli.run("berth", COMMANDS, List.of(args), out, err);
  }
}
