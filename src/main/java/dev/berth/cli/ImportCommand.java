package dev.berth.cli;

import dev.berth.adopt.ImportListener;
import dev.berth.adopt.ImportReport;
import dev.berth.adopt.Inconsistency;
import dev.berth.adopt.RegistryImport;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import dev.berth.server.DataDirectory;
import dev.berth.storage.fs.FilesystemRegistryTree;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

final class ImportCommand implements Command {
  /** A progress line more often than this only flickers. */
  private static final long PROGRESS_NANOS = 500_000_000L;

  @Override
  public String description() {
    return """
        Adopt a Docker Registry 2.x storage root in place: record its repositories, manifests and tags as Berth's
        metadata, blobs untouched. Stop Docker Registry first. Each inconsistency is reported with its path and
        how it was handled; running again (after an interruption too) ends with the same metadata.""";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(StoresOption.config("the server's YAML configuration; its storage root is the one imported"))
        .addOption(null, "dry-run", false, "change nothing, not even create Berth's database; report what would be "
            + "recorded and every inconsistency");
  }

  @Override
  public int run(CommandLine line) throws Exception {
    Settings settings = StoresOption.existing(line);
    if (!(settings.blobs() instanceof Settings.LocalBlobs)) {
      throw new CommandFailure(ExitStatus.USAGE, "berth import reads a filesystem storage root; this configuration"
          + " keeps blobs in " + settings.blobs());
    }
    FilesystemRegistryTree tree = new FilesystemRegistryTree(settings.rootDirectory());
    if (!tree.exists()) {
      throw new CommandFailure(ExitStatus.NOT_FOUND, "no Docker Registry repositories at " + tree.repositoriesRoot()
          + "; storage.filesystem.rootdirectory must be the rootdirectory Docker Registry was configured with");
    }
    LoggingSetup.quietUnlessDebugging(settings.logLevel());
    RegistryImport adoption = new RegistryImport(tree, settings.maxManifestBytes(), Clock.systemUTC());
    Printer printer = new Printer(System.out, System.console() != null);
    ImportReport report;
    if (line.hasOption("dry-run")) {
      report = adoption.dryRun(printer);
    } else if (settings.database() instanceof Settings.Postgres) {
      report = record(settings, adoption, printer);
    } else {
      Optional<DataDirectory> directory = DataDirectory.tryAcquire(settings.rootDirectory());
      if (directory.isEmpty()) {
        throw new CommandFailure(ExitStatus.UNAVAILABLE, "a Berth server runs on "
            + settings.rootDirectory().toAbsolutePath() + "; stop it, import, and start it again");
      }
      try (DataDirectory owned = directory.get()) {
        report = record(settings, adoption, printer);
      }
    }
    printer.endProgress();
    System.out.println(report.summary());
    return ExitStatus.OK.code;
  }

  private static ImportReport record(Settings settings, RegistryImport adoption, Printer printer) throws Exception {
    try (BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      return adoption.run(stores.metadata(), printer);
    }
  }

  /** Inconsistencies as lines; on a terminal, below them, one progress line rewritten in place. */
  private static final class Printer implements ImportListener {
    private final PrintStream out;
    private final boolean terminal;
    private long lastProgress = System.nanoTime();
    private int progressWidth;

    Printer(PrintStream out, boolean terminal) {
      this.out = out;
      this.terminal = terminal;
    }

    @Override
    public void inconsistency(Inconsistency inconsistency) {
      endProgress();
      out.println(inconsistency.line());
    }

    @Override
    public void progress(ImportReport soFar) {
      long now = System.nanoTime();
      if (!terminal || now - lastProgress < PROGRESS_NANOS) {
        return;
      }
      lastProgress = now;
      String text = soFar.progressLine();
      out.print("\r" + text + " ".repeat(Math.max(0, progressWidth - text.length())));
      out.flush();
      progressWidth = text.length();
    }

    void endProgress() {
      if (progressWidth > 0) {
        out.print("\r" + " ".repeat(progressWidth) + "\r");
        progressWidth = 0;
      }
    }
  }
}
