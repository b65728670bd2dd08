package dev.berth.cli;

import java.util.List;
import java.util.Optional;
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
    description = "An OCI Distribution registry with safe, online storage reclamation.")
public final class Main implements Runnable {
  public static final int EXIT_CONFIG = 78;

  private static final List<Class<?>> COMMANDS = List.of(
      ServeCommand.class, GcCommand.class, FsckCommand.class, UserCommand.class, CommandLine.HelpCommand.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(args).execute(args));
  }

  /**
   * Picocli builds the model of every subcommand it is given, by reflection, and that was a quarter
   * of the server's start-up; a run needs only the one it names. Help, options before any command
   * and mistakes get all of them, so usage and suggestions stay complete.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine line = new CommandLine(new Main());
    Optional<Class<?>> named = args.length == 0 ? Optional.empty() : COMMANDS.stream()
        .filter(command -> command.getAnnotation(Command.class).name().equals(args[0]))
        .filter(command -> command != CommandLine.HelpCommand.class)
        .findFirst();
    named.map(List::<Class<?>>of).orElse(COMMANDS).forEach(line::addSubcommand);
    return line;
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
