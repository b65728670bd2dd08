package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code berth}: the command users run. Exit codes: 0 success, 1 failure at run time, 2 bad usage,
 * 78 unusable configuration (sysexits' EX_CONFIG).
 */
@Command(
    name = "berth",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "An OCI Distribution registry with safe, online storage reclamation.",
    subcommands = {ServeCommand.class, GcCommand.class, FsckCommand.class, UserCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int EXIT_CONFIG = 78;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required, e.g. 'berth serve'");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"berth " + (version == null ? "development build" : version)};
    }
  }
}
