package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.auth.Administration;
import dev.berth.auth.Principal;
import dev.berth.cleanup.NoPolicyException;
import dev.berth.cleanup.RetentionReports;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.metadata.RetentionStore.Outcome;
import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.metadata.RetentionStore.RunRecord;
import dev.berth.metadata.RetentionStore.Status;
import dev.berth.oci.InvalidNameException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Retention runs under {@code /api/v1/retention/runs}, started and followed as collections are:
 * POST starts one ({@code {"namespace": "team", "dryRun": true}}; without a namespace, every
 * namespace's policy runs), GET lists them, {@code /runs/<id>} follows one ({@code wait} seconds
 * for its end), {@code /runs/<id>/items} pages through its decisions ({@code kept=false}: deleted and
 * skipped images only). A run of one namespace is for
 * who manages it; a run of all, and the list, for system administrators.
 */
final class RetentionEndpoints {
  private static final Pattern RUN = Pattern.compile("^/api/v1/retention/runs/([0-9a-f-]{36})$");
  private static final Pattern RUN_ITEMS = Pattern.compile("^/api/v1/retention/runs/([0-9a-f-]{36})/items$");
  private static final int LIST_LIMIT = 100;
  private static final int ITEMS_PAGE = 1000;

  private final Administration administration;
  private final RetentionRuns runs;

  RetentionEndpoints(Administration administration, RetentionRuns runs) {
    this.administration = administration;
    this.runs = runs;
  }

  /** Handles the request when it is for retention runs; false otherwise. */
  boolean handle(Exchange ex, String path, Principal actor) throws IOException {
    Matcher run = RUN.matcher(path);
    Matcher items = RUN_ITEMS.matcher(path);
    if (path.equals("/api/v1/retention/runs")) {
      switch (ex.method()) {
        case "POST" -> start(ex, actor);
        case "GET" -> {
          ex.route("admin_retention_runs");
          requireSystemAdmin(actor);
          ex.json(200, Map.of("runs", runs.recentRuns(LIST_LIMIT).stream().map(RetentionReports::toMap).toList()));
        }
        default -> throw new AdminError(405, "use GET or POST");
      }
    } else if (run.matches() && ex.method().equals("GET")) {
      ex.route("admin_retention_run");
      long waitSeconds = AdminHandler.number(ex, "wait", 0, 0, AdminHandler.WAIT_MAX_SECONDS);
      String id = run.group(1);
      RunRecord record = (waitSeconds == 0 ? runs.findRun(id)
          : AdminHandler.waiting(id, () -> runs.awaitEnd(id, Duration.ofSeconds(waitSeconds))))
          .orElseThrow(RetentionEndpoints::noSuchRun);
      requireReader(actor, record);
      ex.json(200, RetentionReports.toMap(record));
    } else if (items.matches() && ex.method().equals("GET")) {
      items(ex, actor, items.group(1));
    } else {
      return false;
    }
    return true;
  }

  private void start(Exchange ex, Principal actor) throws IOException {
    ex.route("admin_retention_start");
    JsonNode body = AdminError.readBody(ex);
    Optional<String> namespace = body.hasNonNull("namespace") ? Optional.of(body.get("namespace").asText())
        : Optional.empty();
    if (namespace.isPresent()) {
      administration.requireManage(actor, namespace.get());
    } else {
      requireSystemAdmin(actor);
    }
    String requestedBy = body.path("requestedBy").asText(actor.name() + "@" + Request.getRemoteAddr(ex.request));
    boolean dryRun = body.path("dryRun").asBoolean(false);
    try {
      String id = runs.start(new RetentionRuns.Request(namespace, dryRun, requestedBy, "api"));
      ex.header(HttpHeader.LOCATION, "/api/v1/retention/runs/" + id);
      ex.json(202, Map.of("id", id));
    } catch (InvalidNameException e) {
      throw new AdminError(400, e.getMessage());
    } catch (NoPolicyException e) {
      throw new AdminError(404, e.getMessage());
    }
  }

  /**
   * One page of a run's decisions, in order: {@code after} the last {@code seq} read, a {@code Link}
   * to the next page unless this is the last; {@code format=text}, the lines {@code berth retention
   * run} prints.
   */
  private void items(Exchange ex, Principal actor, String id) throws IOException {
    ex.route("admin_retention_run_items");
    RunRecord record = runs.findRun(id).orElseThrow(RetentionEndpoints::noSuchRun);
    requireReader(actor, record);
    long after = AdminHandler.number(ex, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) AdminHandler.number(ex, "limit", ITEMS_PAGE, 1, AdminHandler.ITEMS_PAGE_MAX);
    boolean text = switch (ex.query("format").orElse("json")) {
      case "json" -> false;
      case "text" -> true;
      default -> throw new AdminError(400, "format is json or text");
    };
    boolean withKept = switch (ex.query("kept").orElse("true")) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new AdminError(400, "kept is true or false");
    };
    List<RunItem> page = runs.runItems(id, after, limit);
    if (record.status() == Status.RUNNING || page.size() == limit) {
      long next = page.isEmpty() ? after : page.getLast().seq();
      ex.header(HttpHeader.LINK, "</api/v1/retention/runs/" + id + "/items?after=" + next + "&limit=" + limit
          + (text ? "&format=text" : "") + (withKept ? "" : "&kept=false") + ">; rel=\"next\"");
    }
    // Filtered after paging, so that the next page starts after this one's last item whatever it was.
    List<RunItem> shown = withKept ? page : page.stream().filter(i -> i.outcome() != Outcome.KEPT).toList();
    if (text) {
      StringBuilder lines = new StringBuilder();
      shown.forEach(item -> lines.append(RetentionReports.line(item, record.dryRun())).append('\n'));
      ex.bytes(200, "text/plain; charset=utf-8", lines.toString().getBytes(StandardCharsets.UTF_8));
    } else {
      ex.json(200, Map.of("status", record.status().name().toLowerCase(java.util.Locale.ROOT),
          "items", shown.stream().map(RetentionReports::toMap).toList()));
    }
  }

  /** A run of one namespace is readable by who manages it; a run of every namespace, by system admins. */
  private void requireReader(Principal actor, RunRecord record) {
    if (record.namespace().isPresent()) {
      administration.requireManage(actor, record.namespace().get());
    } else {
      requireSystemAdmin(actor);
    }
  }

  private void requireSystemAdmin(Principal actor) {
    if (!administration.permissions().administersRegistry(actor)) {
      throw new AdminError(403, "retention runs of every namespace are for system administrators");
    }
  }

  private static AdminError noSuchRun() {
    return new AdminError(404, "no such run");
  }
}
