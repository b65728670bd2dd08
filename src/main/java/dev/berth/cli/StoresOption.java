package dev.berth.cli;

import dev.berth.config.ConfigException;
import dev.berth.config.ConfigLoader;
import dev.berth.config.Settings;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config} option of commands that open the deployment's stores. */
final class StoresOption {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the server's YAML configuration")
  Path config;

  Settings settings() throws ConfigException {
    return new ConfigLoader().load(Optional.ofNullable(config), System.getenv());
  }
}
