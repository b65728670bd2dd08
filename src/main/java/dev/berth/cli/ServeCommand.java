package dev.berth.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.slf4j.LoggerFactory;

final class ServeCommand implements Command {
  @Override
  public String description() {
    return "Run the registry. Without --config: filesystem + SQLite under ./data, on 127.0.0.1:5000.";
  }

  @Override
  public Options options() {
    return new Options().addOption(
        StoresOption.config("YAML configuration (Docker Registry's keys where the meaning is the same)"));
  }

  @Override
  public int run(CommandLine line) throws Exception {
    Settings settings = StoresOption.settings(line);
    configureLogging(settings);
    org.slf4j.Logger log = LoggerFactory.getLogger("berth");
    BerthServer server = BerthServer.start(settings);
    log.info("listening on {}:{}, data in {}, blobs {}, deletes {}", settings.host(), server.port(),
        settings.rootDirectory().toAbsolutePath(),
        settings.blobs() instanceof Settings.S3Blobs s3 ? "in " + s3 : "in the data directory",
        settings.deleteEnabled() ? "enabled" : "disabled");
    UntilStopped.await(server, "shutting down: draining in-flight requests for up to " + settings.drainTimeout());
    return ExitStatus.OK.code;
  }

  static void configureLogging(Settings settings) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(switch (settings.logLevel()) {
      case "error", "panic", "fatal" -> Level.ERROR;
      case "warn" -> Level.WARN;
      case "debug" -> Level.DEBUG;
      case "trace" -> Level.TRACE;
      default -> Level.INFO;
    });
    ((Logger) LoggerFactory.getLogger("berth.access")).setLevel(settings.accessLog() ? Level.INFO : Level.OFF);
  }
}
