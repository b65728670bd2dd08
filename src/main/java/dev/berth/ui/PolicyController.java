package dev.berth.ui;

import dev.berth.auth.Administration;
import dev.berth.cleanup.NoPolicyException;
import dev.berth.cleanup.Policies;
import dev.berth.cleanup.RetentionReports;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.metadata.RetentionStore.RunRecord;
import dev.berth.metadata.RetentionStore.Status;
import dev.berth.metadata.RetentionStore.Totals;
import dev.berth.oci.InvalidNameException;
import dev.berth.policy.InvalidPolicyException;
import dev.berth.policy.NamespacePolicy;
import dev.berth.policy.PolicyDocument;
import dev.berth.ui.view.Decisions;
import dev.berth.ui.view.Format;
import dev.berth.ui.view.PolicyView;
import dev.berth.ui.view.RetentionRunView;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A namespace's policy for its admins (and system administrators): the document edited as YAML,
 * refused whole with every problem listed and the text kept; a preview of what the edited
 * document would keep and delete, run dry before anything is saved; a real run, confirmed; and the
 * namespace's retention runs, each with its decisions.
 */
final class PolicyController {
  private static final int RUNS_SHOWN = 20;
  /** What the editor starts from when a namespace has no policy: a rule to adapt, commented. */
  static final String EXAMPLE = """
      # No policy yet. An example to adapt (docs/retention.md has the whole document):
      # retention:
      #   schedule: "0 2 * * *"
      #   rules:
      #     - repositories: ["**"]
      #       tags: ["v*"]
      #       keep: { mostRecentlyPushed: 10 }
      # immutable:
      #   - repositories: ["**"]
      #     tags: ["v*.*.*"]
      """;

  private final Administration administration;
  private final Policies policies;
  private final RetentionRuns runs;
  private final Pages pages;

  PolicyController(Administration administration, Policies policies, RetentionRuns runs, Pages pages) {
    this.administration = administration;
    this.policies = policies;
    this.runs = runs;
    this.pages = pages;
  }

  void show(WebExchange ex, Session session) throws IOException {
    String namespace = ex.query("namespace").orElse("").strip();
    if (!manageable(ex, session, namespace)) {
      return;
    }
    Optional<Policies.Current> current = policies.find(namespace);
    render(ex, session, 200, namespace, current.map(c -> c.stored().document()).orElse(EXAMPLE), List.of(),
        Optional.empty());
  }

  /** Saves the edited document, or (action {@code preview}) shows what it would do, saving nothing. */
  void save(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    if (!manageable(ex, session, namespace)) {
      return;
    }
    String document = ex.field("document").orElse("");
    NamespacePolicy policy;
    try {
      policy = PolicyDocument.read(document);
    } catch (InvalidPolicyException e) {
      render(ex, session, 400, namespace, document, e.problems(), Optional.empty());
      return;
    }
    if ("preview".equals(ex.field("action").orElse(""))) {
      DecisionTables tables = new DecisionTables(true);
      Totals totals = runs.preview(namespace, policy, tables);
      render(ex, session, 200, namespace, document, List.of(),
          Optional.of(tables.decisions(RetentionReports.summary(true, totals))));
      return;
    }
    policies.set(namespace, document, session.principal().name());
    ex.redirect(Links.policy(namespace));
  }

  void remove(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    if (!manageable(ex, session, namespace)) {
      return;
    }
    if (!policies.remove(namespace, session.principal().name())) {
      pages.refuse(ex, session, Links.policy(namespace), namespace + " has no policy to remove");
      return;
    }
    ex.redirect(Links.policy(namespace));
  }

  /** Starts a real run of the saved policy, once the form's confirmation box is ticked. */
  void run(WebExchange ex, Session session) throws IOException {
    String namespace = ex.field("namespace").orElse("").strip();
    if (!manageable(ex, session, namespace)) {
      return;
    }
    if (!"on".equals(ex.field("confirm").orElse(""))) {
      pages.refuse(ex, session, Links.policy(namespace), "Tick the box to confirm the run: it deletes what the saved "
          + "policy does not keep. Nothing was deleted.");
      return;
    }
    try {
      String id = runs.start(new RetentionRuns.Request(Optional.of(namespace), false,
          session.actor(ex.remoteAddress()), "console"));
      ex.redirect(Links.retentionRun(id));
    } catch (NoPolicyException e) {
      pages.refuse(ex, session, Links.policy(namespace), e.getMessage() + "; save one first. Nothing was deleted.");
    }
  }

  /** One run with its decisions; readable by who manages its namespace (every namespace's: system admins). */
  void showRun(WebExchange ex, Session session) throws IOException {
    Optional<RunRecord> found = runs.findRun(ex.query("id").orElse(""));
    if (found.isEmpty()) {
      pages.notFound(ex, Pages.frame(session, "Not found", "namespaces"), "There is no such retention run.");
      return;
    }
    RunRecord run = found.get();
    if (run.namespace().isPresent()) {
      administration.requireManage(session.principal(), run.namespace().get());
    } else if (!administration.permissions().administersRegistry(session.principal())) {
      pages.forbidden(ex, Pages.frame(session, "Not allowed", "namespaces"),
          "Runs of every namespace are for system administrators.");
      return;
    }
    DecisionTables tables = new DecisionTables(run.dryRun());
    long after = 0;
    List<dev.berth.metadata.RetentionStore.RunItem> page;
    do {
      page = runs.runItems(run.id(), after, DecisionTables.SHOWN);
      page.forEach(tables);
      after = page.isEmpty() ? after : page.getLast().seq();
    } while (page.size() == DecisionTables.SHOWN);
    boolean running = run.status() == Status.RUNNING;
    pages.render(ex, 200, "retentionrun", new RetentionRunView(
        Pages.frame(session, "Retention run", "namespaces"), run.namespace().orElse("every namespace"),
        Format.time(run.startedAt()), run.requestedBy(), run.trigger(), run.dryRun(),
        run.status().name().toLowerCase(java.util.Locale.ROOT), running, run.error().orElse(""),
        tables.decisions(running ? "running" : RetentionReports.summary(run.dryRun(), run.totals()))));
  }

  private boolean manageable(WebExchange ex, Session session, String namespace) throws IOException {
    try {
      if (!dev.berth.oci.RepositoryName.of(namespace).namespace().equals(namespace)) {
        throw new InvalidNameException("invalid namespace: " + namespace);
      }
    } catch (InvalidNameException e) {
      pages.message(ex, 400, Pages.frame(session, "Not a namespace", "namespaces"), "Not a namespace",
          e.getMessage());
      return false;
    }
    administration.requireManage(session.principal(), namespace);
    return true;
  }

  private void render(WebExchange ex, Session session, int status, String namespace, String document,
      List<String> problems, Optional<Decisions> preview) throws IOException {
    Optional<String> setBy = policies.find(namespace)
        .map(c -> "set by " + c.stored().updatedBy() + " at " + Format.time(c.stored().updatedAt()));
    List<PolicyView.RunRow> history = runs.recentRuns(namespace, RUNS_SHOWN).stream()
        .map(r -> new PolicyView.RunRow(Links.retentionRun(r.id()), Format.time(r.startedAt()), r.requestedBy(), r.trigger(),
            r.dryRun(), r.status().name().toLowerCase(java.util.Locale.ROOT), r.totals().kept(), r.totals().deleted(),
            r.totals().skipped(), Format.bytes(r.totals().bytesFreed())))
        .toList();
    pages.render(ex, status, "policy", new PolicyView(Pages.frame(session, "Policy of " + namespace, "namespaces"),
        namespace, document, setBy, problems, preview, history));
  }
}
