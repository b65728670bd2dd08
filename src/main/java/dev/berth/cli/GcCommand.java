package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cleanup.GarbageCollector;
import dev.berth.cleanup.GcAlreadyRunningException;
import dev.berth.cleanup.GcItem;
import dev.berth.cleanup.GcListener;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcReport;
import dev.berth.cleanup.GcReports;
import dev.berth.cleanup.GcService;
import dev.berth.config.Durations;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

final class GcCommand implements Command {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long one request of a follower waits for the run to end; it prints what arrived meanwhile. */
  private static final Duration FOLLOW_WAIT = Duration.ofSeconds(2);
  private static final int ITEMS_PAGE = 10_000;
  private static final int PRINT_BUFFER = 1 << 16;
  private static final Settings.Gc DEFAULTS = Settings.Gc.defaults();

  @Override
  public String description() {
    return """
        Collect garbage, online.
        With --url the run is handed to that server (any replica) and followed. Otherwise, on SQLite, a server
        running on the data directory gets the run (its admin API), or it runs here; on PostgreSQL it runs here,
        beside any number of replicas (the database keeps it the only run, and guards each digest).""";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(StoresOption.config())
        .addOption(null, "dry-run", false, "change nothing; list exactly what a real run would delete")
        .addOption("m", "delete-untagged", false, "also collect untagged manifests nothing live references")
        .addOption(duration("grace", "keep anything younger than this, e.g. 90m or 0s (default: the "
            + "configuration's gc.grace, " + DEFAULTS.grace().toHours() + "h)"))
        .addOption(null, "orphans", false, "also walk the blob store for bytes with no metadata row (slow; after crashes)")
        .addOption(duration("upload-max-age", "purge upload sessions idle this long (default: the configuration's "
            + "gc.uploadmaxage, " + DEFAULTS.uploadMaxAge().toHours() + "h)"))
        .addOption(Option.builder().longOpt("url").hasArg().argName("URL")
            .desc("hand the run to the server at URL (its admin API) and follow it; needs --user").get())
        .addOption(Option.builder().longOpt("user").hasArg().argName("NAME")
            .desc("with --url: an administrator's name; the password comes from BERTH_PASSWORD or is asked").get());
  }

  private static Option duration(String name, String description) {
    return Option.builder().longOpt(name).hasArg().argName("DURATION").converter(Durations::parse).desc(description).get();
  }

  /** The run the command line asks for; what it leaves out, the configuration's gc section decides. */
  static GcOptions gcOptions(CommandLine line, Settings.Gc configured) throws ParseException {
    return new GcOptions(line.hasOption("dry-run"),
        line.hasOption("delete-untagged") || configured.deleteUntagged(),
        line.getParsedOptionValue("grace", configured.grace()),
        line.getParsedOptionValue("upload-max-age", configured.uploadMaxAge()),
        line.hasOption("orphans"));
  }

  @Override
  public int run(CommandLine line) throws Exception {
    PrintStream out = System.out;
    if (line.hasOption("url")) {
      return delegate(AdminEndpoint.remote(line.getOptionValue("url"), line.getOptionValue("user")),
          requestOf(line, Optional.empty()), out);
    }
    Settings settings = StoresOption.existing(line);
    GcOptions options = gcOptions(line, settings.gc());
    return RunPlace.choose(settings, out, () -> runHere(settings, options, out),
        server -> delegate(server, requestOf(line, Optional.of(options)), out));
  }

  private static int runHere(Settings settings, GcOptions options, PrintStream out) throws Exception {
    try (BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      GarbageCollector collector = new GarbageCollector(stores.metadata().collector(), stores.blobs(), stores.guard(),
          Clock.systemUTC());
      GcService service = new GcService(collector, stores.metadata().history(), Clock.systemUTC());
      GcListener printer = new GcListener() {
        @Override
        public void removed(GcItem item) {
          out.println(GcReports.line(item, options.dryRun()));
        }

        @Override
        public void warning(String message) {
          out.println("warning: " + message);
        }
      };
      // A dry run leaves the database exactly as it found it, so it is not written to history.
      GcReport report;
      if (options.dryRun()) {
        report = collector.run(options, printer);
      } else {
        // A run an interrupted process left recorded as running is closed when it blocks this one.
        try {
          report = service.runNow(options, user(), "cli", printer);
        } catch (GcAlreadyRunningException e) {
          throw new CommandFailure(ExitStatus.UNAVAILABLE, "another collection is running in this deployment;"
              + " run again once it has ended (the console and GET /api/v1/gc/runs show it)", e);
        }
      }
      out.println(report.summary());
      return ExitStatus.OK.code;
    }
  }

  private static String user() {
    return System.getProperty("user.name", "unknown") + "@cli";
  }

  /**
   * The run's request to a server. Beside the server, the options as this command resolved them
   * from its configuration; to a remote server only what the command line says, the rest being that
   * server's configuration, and the run is recorded as requested by the signed-in user.
   */
  private static String requestOf(CommandLine line, Optional<GcOptions> resolved) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    if (resolved.isPresent()) {
      GcOptions options = resolved.get();
      body.putAll(Map.of("dryRun", options.dryRun(), "deleteUntagged", options.deleteUntagged(),
          "grace", options.grace().toSeconds() + "s", "uploadMaxAge", options.uploadMaxAge().toSeconds() + "s",
          "orphans", options.orphans(), "requestedBy", user()));
    } else {
      body.put("dryRun", line.hasOption("dry-run"));
      body.put("orphans", line.hasOption("orphans"));
      if (line.hasOption("delete-untagged")) {
        body.put("deleteUntagged", true);
      }
      for (String duration : new String[] {"grace", "upload-max-age"}) {
        if (line.hasOption(duration)) {
          body.put(duration.equals("grace") ? "grace" : "uploadMaxAge",
              line.<Duration>getParsedOptionValue(duration).toSeconds() + "s");
        }
      }
    }
    return JSON.writeValueAsString(body);
  }

  /** Hands the run to a server and follows it to the end. */
  private static int delegate(AdminEndpoint server, String body, PrintStream out) throws Exception {
    AdminCall started;
    try {
      started = AdminCall.send(server, "POST", "/api/v1/gc/runs", body);
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.UNAVAILABLE, "the server at " + server.url() + " does not answer ("
          + e.getMessage() + "); is it still running?", e);
    }
    if (started.status() != 202) {
      throw new CommandFailure(ExitStatus.FAILED, "the server refused the run (" + started.status() + "): "
          + started.body());
    }
    String id = JSON.readTree(started.body()).path("id").asText();
    try {
      return follow(server, id, out);
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.UNAVAILABLE, "the server at " + server.url() + " went away during run "
          + id + " (" + e.getMessage() + "); what it deleted stays deleted, and the next run finishes the work", e);
    }
  }

  private static int follow(AdminEndpoint server, String id, PrintStream out) throws IOException,
      CommandFailure {
    // Buffered, flushed page by page: one write per line would be thousands of system calls.
    PrintStream pages = new PrintStream(new BufferedOutputStream(out, PRINT_BUFFER), false, out.charset());
    followItems(server, id, pages);
    JsonNode run = get(server, "/api/v1/gc/runs/" + id);
    for (JsonNode line : run.path("log")) {
      if (line.asText().startsWith("warning ")) {
        pages.println(line.asText().replaceFirst("^warning ", "warning: "));
      }
    }
    String status = run.path("status").asText();
    if (!status.equals("succeeded")) {
      pages.flush();
      throw new CommandFailure(ExitStatus.FAILED, "run " + id + " " + status);
    }
    pages.println(run.path("report").path("summary").asText());
    pages.flush();
    return ExitStatus.OK.code;
  }

  /**
   * Prints the run's items as the server writes them, while it runs: each page's request waits for
   * new items or the run's end, and names the next page until the last. The lines come as text,
   * copied out unparsed.
   */
  private static void followItems(AdminEndpoint server, String id, PrintStream out) throws IOException {
    Optional<String> page = Optional.of("/api/v1/gc/runs/" + id + "/items?limit=" + ITEMS_PAGE + "&wait="
        + FOLLOW_WAIT.toSeconds() + "&format=text");
    while (page.isPresent()) {
      AdminCall response = AdminCall.fetch(server, page.get());
      out.print(response.body());
      out.flush();
      page = response.next();
    }
  }

  private static JsonNode get(AdminEndpoint server, String path) throws IOException {
    return JSON.readTree(AdminCall.fetch(server, path).body());
  }
}
