package dev.berth.cli;

import dev.berth.config.ConfigException;
import dev.berth.config.ConfigLoader;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.ParseException;

/** The {@code --config} option of commands that open the deployment's stores, and the settings it names. */
final class StoresOption {
  private StoresOption() {}

  static Option config(String description) {
    return Option.builder("c").longOpt("config").hasArg().argName("FILE").type(Path.class).desc(description).get();
  }

  static Option config() {
    return config("the server's YAML configuration");
  }

  /** The settings, for a server, which creates its data directory on its first start. */
  static Settings settings(CommandLine line) throws ConfigException, ParseException {
    Settings settings = new ConfigLoader().load(Optional.ofNullable(line.getParsedOptionValue("config")),
        System.getenv());
    Cli.showTraces(settings.logLevel().equals("debug") || settings.logLevel().equals("trace"));
    return settings;
  }

  /**
   * The settings of a deployment that must exist already: every command but serve works on one,
   * and creating an empty registry to report on it would only hide a wrong path.
   */
  static Settings existing(CommandLine line) throws ConfigException, ParseException, CommandFailure {
    Settings settings = settings(line);
    Path root = settings.rootDirectory();
    if (!Files.isDirectory(root)) {
      throw new CommandFailure(ExitStatus.NOT_FOUND, "no Berth data directory at " + root.toAbsolutePath().normalize()
          + "; pass --config with the server's configuration, or run from the directory that holds "
          + (line.hasOption("config") ? "it" : "./data"));
    }
    return settings;
  }

  /** What a command does with the deployment's stores. */
  interface StoresWork {
    void run(BerthServer.Stores stores) throws Exception;
  }

  /**
   * Runs {@code work} on the stores of an existing deployment, beside a running server or not. A
   * value the stores or the domain refuse (a bad name or role) is a usage failure.
   */
  static int onStores(CommandLine line, StoresWork work) throws Exception {
    Settings settings = existing(line);
    LoggingSetup.quietUnlessDebugging(settings.logLevel());
    try (BerthServer.Stores opened = BerthServer.Stores.open(settings)) {
      work.run(opened);
      return ExitStatus.OK.code;
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitStatus.USAGE, e.getMessage(), e);
    }
  }
}
