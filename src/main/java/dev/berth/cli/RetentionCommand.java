package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cleanup.NoPolicyException;
import dev.berth.cleanup.Policies;
import dev.berth.cleanup.RetentionReports;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.config.Settings;
import dev.berth.metadata.RetentionStore.Outcome;
import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.metadata.RetentionStore.RunRecord;
import dev.berth.metadata.RetentionStore.Status;
import dev.berth.metadata.RetentionStore.Totals;
import dev.berth.oci.InvalidNameException;
import dev.berth.server.BerthServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code berth retention run}: applies namespaces' retention policies, or says what they would
 * delete. Where it runs follows {@code berth gc}: handed to the server that holds a SQLite data
 * directory (whose caches must see the deletes), run here on PostgreSQL or on a directory no server
 * holds, or handed to a remote server with {@code --url}.
 */
final class RetentionCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FOLLOW_WAIT_SECONDS = 2;
  private static final int ITEMS_PAGE = 10_000;
  private static final int PRINT_BUFFER = 1 << 16;

  private RetentionCommand() {}

  static Commands commands() {
    return new Commands("Apply namespaces' retention policies.").add("run", Run::new);
  }

  static final class Run implements Command {
    @Override
    public String description() {
      return """
          Delete what namespaces' retention rules do not keep (every namespace with rules, or --namespace NS).
          Prints one line per image it deletes (dry: would delete), then the bytes the next GC frees.""";
    }

    @Override
    public Options options() {
      return new Options()
          .addOption(StoresOption.config())
          .addOption(null, "dry-run", false, "change nothing; list what a real run would delete")
          .addOption(Option.builder().longOpt("namespace").hasArg().argName("NS")
              .desc("only this namespace's policy").get())
          .addOption(Option.builder().longOpt("url").hasArg().argName("URL")
              .desc("hand the run to the server at URL (its admin API) and follow it; needs --user").get())
          .addOption(Option.builder().longOpt("user").hasArg().argName("NAME")
              .desc("with --url: an administrator's name; the password comes from BERTH_PASSWORD or is asked").get());
    }

    @Override
    public int run(CommandLine line) throws Exception {
      // Buffered: a run deleting 60,000 images prints as many lines, one write each otherwise.
      PrintStream out = new PrintStream(new BufferedOutputStream(System.out, PRINT_BUFFER), false,
          System.out.charset());
      try {
        return run(line, out);
      } finally {
        out.flush();
      }
    }

    private int run(CommandLine line, PrintStream out) throws Exception {
      Optional<String> namespace = Optional.ofNullable(line.getOptionValue("namespace"));
      boolean dryRun = line.hasOption("dry-run");
      if (line.hasOption("url")) {
        return delegate(AdminEndpoint.remote(line.getOptionValue("url"), line.getOptionValue("user")), namespace,
            dryRun, Optional.empty(), out);
      }
      Settings settings = StoresOption.existing(line);
      return RunPlace.choose(settings, out, () -> runHere(settings, namespace, dryRun, out),
          server -> delegate(server, namespace, dryRun, Optional.of(user()), out));
    }
  }

  private static String user() {
    return System.getProperty("user.name", "unknown") + "@cli";
  }

  private static int runHere(Settings settings, Optional<String> namespace, boolean dryRun, PrintStream out)
      throws Exception {
    try (BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      Clock clock = Clock.systemUTC();
      RetentionRuns runs = new RetentionRuns(stores.metadata(),
          new Policies(stores.metadata(), clock), clock, () -> { });
      Consumer<RunItem> printer = item -> {
        if (item.outcome() != Outcome.KEPT) {
          out.println(RetentionReports.line(item, dryRun));
        }
      };
      try {
        // A dry run leaves the database as it found it, so it is not written to history.
        Totals totals;
        if (dryRun) {
          totals = runs.dryRunUnrecorded(namespace, printer);
        } else {
          RunRecord run = runs.runNow(new RetentionRuns.Request(namespace, false, user(), "cli"), printer);
          if (run.status() != Status.SUCCEEDED) {
            throw new CommandFailure(ExitStatus.FAILED, "retention run " + run.id() + " failed: "
                + run.error().orElse("no reason recorded"));
          }
          totals = run.totals();
        }
        out.println(RetentionReports.summary(dryRun, totals));
        return ExitStatus.OK.code;
      } catch (NoPolicyException e) {
        throw new CommandFailure(ExitStatus.NOT_FOUND, e.getMessage());
      } catch (InvalidNameException e) {
        throw new CommandFailure(ExitStatus.USAGE, e.getMessage());
      }
    }
  }

  /** Hands the run to a server, waits for its end, then prints its deletions and totals. */
  private static int delegate(AdminEndpoint server, Optional<String> namespace, boolean dryRun,
      Optional<String> requestedBy, PrintStream out) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    namespace.ifPresent(ns -> body.put("namespace", ns));
    body.put("dryRun", dryRun);
    requestedBy.ifPresent(by -> body.put("requestedBy", by));
    AdminCall started;
    try {
      started = AdminCall.send(server, "POST", "/api/v1/retention/runs", JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.UNAVAILABLE, "the server at " + server.url() + " does not answer ("
          + e.getMessage() + "); is it still running?", e);
    }
    if (started.status() != 202) {
      String error = JSON.readTree(started.body()).path("error").asText(started.body());
      ExitStatus status = switch (started.status()) {
        case 404 -> ExitStatus.NOT_FOUND;
        case 400 -> ExitStatus.USAGE;
        default -> ExitStatus.FAILED;
      };
      throw new CommandFailure(status, "the server refused the run (" + started.status() + "): " + error);
    }
    String id = JSON.readTree(started.body()).path("id").asText();
    JsonNode run = get(server, "/api/v1/retention/runs/" + id + "?wait=" + FOLLOW_WAIT_SECONDS);
    while (run.path("status").asText().equals("running")) {
      run = get(server, "/api/v1/retention/runs/" + id + "?wait=" + FOLLOW_WAIT_SECONDS);
    }
    // The decisions as the server words them, kept images left out: what a run here would print.
    Optional<String> page = Optional.of("/api/v1/retention/runs/" + id + "/items?limit=" + ITEMS_PAGE
        + "&format=text&kept=false");
    while (page.isPresent()) {
      AdminCall response = AdminCall.fetch(server, page.get());
      out.print(response.body());
      page = response.next();
    }
    if (!run.path("status").asText().equals("succeeded")) {
      throw new CommandFailure(ExitStatus.FAILED, "retention run " + id + " " + run.path("status").asText() + ": "
          + run.path("error").asText());
    }
    out.println(run.path("summary").asText());
    return ExitStatus.OK.code;
  }

  private static JsonNode get(AdminEndpoint server, String path) throws IOException {
    return JSON.readTree(AdminCall.fetch(server, path).body());
  }
}
