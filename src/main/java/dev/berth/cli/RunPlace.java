package dev.berth.cli;

import dev.berth.config.Settings;
import dev.berth.server.DataDirectory;
import java.io.PrintStream;
import java.util.Optional;

/**
 * Where a run that changes the registry ({@code berth gc}, {@code berth retention run}) happens: on
 * PostgreSQL in this process, beside any replicas; on SQLite, handed to the server that holds the
 * data directory (whose caches must see the change, and which alone may write its blobs), or here
 * when no server holds it.
 */
final class RunPlace {
  private RunPlace() {}

  interface Here {
    int run() throws Exception;
  }

  interface Beside {
    int run(AdminEndpoint server) throws Exception;
  }

  static int choose(Settings settings, PrintStream out, Here here, Beside beside) throws Exception {
    if (settings.database() instanceof Settings.Postgres) {
      LoggingSetup.quietUnlessDebugging(settings.logLevel());
      return here.run();
    }
    Optional<DataDirectory> directory = DataDirectory.tryAcquire(settings.rootDirectory());
    if (directory.isEmpty()) {
      DataDirectory.ServerInfo server = DataDirectory.published(settings.rootDirectory()).orElseThrow(() ->
          new CommandFailure(ExitStatus.UNAVAILABLE, "another berth process holds "
              + settings.rootDirectory().toAbsolutePath() + " but published no address"));
      out.println("a server runs on this data directory (" + server.url() + "); handing the run to it");
      return beside.run(AdminEndpoint.local(server));
    }
    LoggingSetup.quietUnlessDebugging(settings.logLevel());
    try (DataDirectory owned = directory.get()) {
      return here.run();
    }
  }
}
