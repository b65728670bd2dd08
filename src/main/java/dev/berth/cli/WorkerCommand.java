package dev.berth.cli;

import dev.berth.config.Settings;
import dev.berth.server.BerthWorker;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.slf4j.LoggerFactory;

final class WorkerCommand implements Command {
  @Override
  public String description() {
    return """
        Run the scheduled jobs (gc.schedule, storage samples) of a deployment on PostgreSQL, serving no requests.
        The serving replicas then set scheduler.enabled: false; each occurrence runs in one process either way.""";
  }

  @Override
  public Options options() {
    return new Options().addOption(StoresOption.config("the deployment's YAML configuration (as the replicas')"));
  }

  @Override
  public int run(CommandLine line) throws Exception {
    Settings settings = StoresOption.settings(line);
    ServeCommand.configureLogging(settings);
    BerthWorker worker = BerthWorker.start(settings);
    LoggerFactory.getLogger("berth").info("worker running: gc schedule {}, blobs {}",
        settings.gc().schedule().orElse("none"),
        settings.blobs() instanceof Settings.S3Blobs s3 ? "in " + s3 : "in " + settings.rootDirectory().toAbsolutePath());
    UntilStopped.await(worker, "shutting down: an interrupted collection is finished by the next run");
    return ExitStatus.OK.code;
  }
}
