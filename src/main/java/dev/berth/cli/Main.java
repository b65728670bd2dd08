package dev.berth.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code berth}: the command users run. Its exit statuses are {@link ExitStatus}'s. */
public final class Main {

  static final Commands COMMANDS = new Commands("An OCI Distribution registry with safe, online storage reclamation.")
      .add("serve", ServeCommand::new)
      .add("worker", WorkerCommand::new)
      .add("gc", GcCommand::new)
      .add("fsck", FsckCommand::new)
      .add("import", ImportCommand::new)
      .add("user", UserCommand::commands)
      .add("policy", PolicyCommand::commands)
      .add("retention", RetentionCommand::commands)
      .add("training-run", TrainingRunCommand::new);

  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out, System.err);
    } catch (Exception e) {
      // A failure no command foresaw: one line, the stack trace only with log.level debug, and
      // an exit even when threads the command started would keep the JVM alive.
      System.err.println("berth: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage())
          + " (log.level: debug shows the stack trace)");
      Cli.debugTrace(e, System.err);
      status = ExitStatus.FAILED.code;
    }
    System.exit(status);
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    return Cli.run("berth", COMMANDS, List.of(args), out, err);
  }
}
