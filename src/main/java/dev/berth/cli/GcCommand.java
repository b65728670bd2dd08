package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cleanup.GarbageCollector;
import dev.berth.cleanup.GcItem;
import dev.berth.cleanup.GcListener;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcReport;
import dev.berth.cleanup.GcReports;
import dev.berth.cleanup.GcService;
import dev.berth.config.ConfigException;
import dev.berth.config.Durations;
import dev.berth.config.Settings;
import dev.berth.metadata.BlobLocks;
import dev.berth.server.BerthServer;
import dev.berth.server.DataDirectory;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

final class GcCommand implements Command {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String description() {
    return """
        Collect garbage in the data directory, online.
        When a server runs on the directory the run is handed to it (its admin API); otherwise it runs here.""";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(StoresOption.config())
        .addOption(null, "dry-run", false, "change nothing; list exactly what a real run would delete")
        .addOption("m", "delete-untagged", false, "also collect untagged manifests nothing live references")
        .addOption(duration("grace", "keep anything younger than this (e.g. 24h, 90m, 0s)"))
        .addOption(null, "orphans", false, "also walk the blob store for bytes with no metadata row (slow; after crashes)")
        .addOption(duration("upload-max-age", "purge upload sessions idle this long"));
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
    Settings settings;
    try {
      settings = StoresOption.settings(line);
    } catch (ConfigException e) {
      System.err.println("berth gc: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    GcOptions options = gcOptions(line, settings.gc());
    PrintStream out = System.out;
    Optional<DataDirectory> directory = DataDirectory.tryAcquire(settings.rootDirectory());
    if (directory.isEmpty()) {
      return delegate(settings.rootDirectory(), options, out);
    }
    try (DataDirectory owned = directory.get(); BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      GarbageCollector collector = new GarbageCollector(stores.metadata(), stores.blobs(), new BlobLocks(), Clock.systemUTC());
      GcService service = new GcService(collector, stores.metadata(), Clock.systemUTC());
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
        service.closeInterruptedRuns();
        report = service.runNow(options, user(), "cli", printer);
      }
      out.println(report.summary());
      return 0;
    }
  }

  private static String user() {
    return System.getProperty("user.name", "unknown") + "@cli";
  }

  /** Hands the run to the server holding the directory and follows it to the end. */
  private static int delegate(Path root, GcOptions options, PrintStream out) throws Exception {
    DataDirectory.ServerInfo server = DataDirectory.published(root).orElseThrow(() ->
        new IllegalStateException("another berth process holds " + root + " but published no address"));
    out.println("a server runs on this data directory (" + server.url() + "); handing the run to it");
    HttpClient client = HttpClient.newHttpClient();
    String body = JSON.writeValueAsString(Map.of(
        "dryRun", options.dryRun(), "deleteUntagged", options.deleteUntagged(),
        "grace", options.grace().toSeconds() + "s", "uploadMaxAge", options.uploadMaxAge().toSeconds() + "s",
        "orphans", options.orphans(),
        "requestedBy", user()));
    HttpResponse<String> started = client.send(admin(server, "/api/v1/gc/runs")
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    if (started.statusCode() != 202) {
      System.err.println("berth gc: the server refused the run (" + started.statusCode() + "): " + started.body());
      return 1;
    }
    String id = JSON.readTree(started.body()).path("id").asText();
    long printed = 0;
    while (true) {
      JsonNode run = get(client, server, "/api/v1/gc/runs/" + id);
      String status = run.path("status").asText();
      // Items reach the history before the run is recorded as finished, so once it has finished,
      // paging to the end prints every one.
      printed = printItems(client, server, id, printed, out);
      if (!status.equals("running")) {
        for (JsonNode line : run.path("log")) {
          if (line.asText().startsWith("warning ")) {
            out.println(line.asText().replaceFirst("^warning ", "warning: "));
          }
        }
        if (!status.equals("succeeded")) {
          System.err.println("berth gc: run " + id + " " + status);
          return 1;
        }
        out.println(run.path("report").path("summary").asText());
        return 0;
      }
      Thread.sleep(Duration.ofMillis(200));
    }
  }

  /** Prints the run's items after {@code printed}, page by page; answers the last one printed. */
  private static long printItems(HttpClient client, DataDirectory.ServerInfo server, String id, long printed,
      PrintStream out) throws Exception {
    while (true) {
      JsonNode items = get(client, server, "/api/v1/gc/runs/" + id + "/items?after=" + printed).path("items");
      if (items.isEmpty()) {
        return printed;
      }
      for (JsonNode item : items) {
        out.println(item.path("line").asText());
        printed = item.path("seq").asLong();
      }
    }
  }

  private static JsonNode get(HttpClient client, DataDirectory.ServerInfo server, String path) throws Exception {
    HttpResponse<String> response = client.send(admin(server, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the server answered " + response.statusCode() + " to " + path + ": "
          + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static HttpRequest.Builder admin(DataDirectory.ServerInfo server, String path) {
    return HttpRequest.newBuilder(URI.create(server.url() + path)).header("Authorization", "Bearer " + server.token());
  }
}
