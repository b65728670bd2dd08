package dev.berth.cli;

import dev.berth.config.ConfigException;
import dev.berth.config.ConfigLoader;
import dev.berth.config.Settings;
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

  static Settings settings(CommandLine line) throws ConfigException, ParseException {
    return new ConfigLoader().load(Optional.ofNullable(line.getParsedOptionValue("config")), System.getenv());
  }
}
