package dev.berth.cleanup;

import static dev.berth.cleanup.RegistryFixture.repo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.RetentionStore;
import dev.berth.metadata.RetentionStore.NamespaceImage;
import dev.berth.metadata.RetentionStore.Outcome;
import dev.berth.metadata.RetentionStore.RunItem;
import dev.berth.metadata.RetentionStore.RunRecord;
import dev.berth.metadata.RetentionStore.Status;
import dev.berth.metadata.RetentionStore.Totals;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention applied over real stores: what a run deletes, keeps and skips, what it records and
 * audits, and that the collection after it frees the bytes it announced. Again on PostgreSQL in
 * {@code PostgresRetentionRunsTest}.
 */
class RetentionRunsTest {
  @TempDir
  Path dir;

  RegistryFixture f;
  Policies policies;
  RetentionRuns runs;
  final RepositoryName app = repo("team/app");

  @BeforeEach
  void open(TestInfo test) throws Exception {
    f = new RegistryFixture(dir, test);
    policies = new Policies(f.metadata, f.clock);
    runs = new RetentionRuns(f.metadata, policies, f.clock, f.registry.pulls()::flush);
  }

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  private Digest push(RepositoryName repository, String tag) throws Exception {
    f.clock.advance(Duration.ofMinutes(1));
    return f.pushImage(repository, tag, List.of());
  }

  private void keepTwoNewest() {
    policies.set("team", """
        retention:
          rules:
            - repositories: ["**"]
              tags: ["v*"]
              keep: { mostRecentlyPushed: 2 }
        """, "test");
  }

  private RunRecord run(boolean dryRun, List<RunItem> items) {
    return runs.runNow(new RetentionRuns.Request(Optional.of("team"), dryRun, "tester", "api"), items::add);
  }

  @Test
  void deletesWhatNoRuleKeepsWholeAndAuditsItAsThePolicy() throws Exception {
    Digest v1 = push(app, "v1");
    f.registry.manifests().put(app, Reference.parse("v1-alias"), Optional.empty(),
        f.registry.manifests().get(app, Reference.parse("v1")).payload(), "alice");
    Digest v2 = push(app, "v2");
    Digest v3 = push(app, "v3");
    Digest latest = push(app, "latest");
    keepTwoNewest();

    List<RunItem> items = new ArrayList<>();
    RunRecord run = run(false, items);

    assertThat(run.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(run.totals()).isEqualTo(new Totals(4, 2, 1, 0, run.totals().bytesFreed()));
    assertThat(items).extracting(RunItem::digest, RunItem::outcome)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(v1, Outcome.DELETED),
            org.assertj.core.groups.Tuple.tuple(v2, Outcome.KEPT), org.assertj.core.groups.Tuple.tuple(v3, Outcome.KEPT));
    RunItem deleted = items.stream().filter(i -> i.outcome() == Outcome.DELETED).findFirst().orElseThrow();
    assertThat(deleted.tags()).extracting(Object::toString).containsExactly("v1", "v1-alias");
    assertThat(deleted.rule()).contains("retention.rules[0]");
    assertThat(items.stream().filter(i -> i.outcome() == Outcome.KEPT)).allMatch(i -> i.rule().equals(
        Optional.of("retention.rules[0]")));
    // Gone whole, both tags with it; the image no rule covers is left alone.
    assertThat(f.metadata.manifests().findManifest(app, v1)).isEmpty();
    assertThat(f.metadata.manifests().resolveTag(app, new dev.berth.oci.Tag("v1-alias"))).isEmpty();
    assertThat(f.metadata.manifests().findManifest(app, latest)).isPresent();
    AuditEntry audit = f.metadata.history().recentAudit(10).stream()
        .filter(e -> e.action().equals("manifest.delete")).findFirst().orElseThrow();
    assertThat(audit.actor()).isEqualTo("policy:team");
    assertThat(audit.target()).isEqualTo(app + "@" + v1);
    assertThat(audit.detail()).contains("retention run " + run.id()).contains("retention.rules[0]");
    // History has the run and every decision.
    assertThat(runs.findRun(run.id())).contains(run);
    assertThat(runs.runItems(run.id(), 0, 100)).isEqualTo(items);

    // The collection after it frees exactly what the run announced: v1's config and layer.
    long announced = run.totals().bytesFreed();
    assertThat(announced).isEqualTo(5_200);
    assertThat(f.gc(false, Duration.ZERO).bytesFreed()).isEqualTo(announced);
    f.assertPulls(app, "v2");
    f.assertPulls(app, "latest");
  }

  @Test
  void aDryRunDecidesTheSameAndChangesNothing() throws Exception {
    Digest v1 = push(app, "v1");
    push(app, "v2");
    push(app, "v3");
    keepTwoNewest();

    List<RunItem> dry = new ArrayList<>();
    Totals totals = runs.dryRunUnrecorded(Optional.of("team"), dry::add);

    assertThat(totals.deleted()).isEqualTo(1);
    assertThat(totals.bytesFreed()).isEqualTo(5_200);
    assertThat(dry).filteredOn(i -> i.outcome() == Outcome.DELETED).extracting(RunItem::digest).containsExactly(v1);
    assertThat(f.metadata.manifests().findManifest(app, v1)).isPresent();
    assertThat(runs.recentRuns(10)).isEmpty();
    assertThat(f.metadata.history().recentAudit(10)).noneMatch(e -> e.action().equals("manifest.delete"));

    RunRecord recorded = run(true, new ArrayList<>());
    assertThat(recorded.dryRun()).isTrue();
    assertThat(recorded.totals()).isEqualTo(totals);
    assertThat(f.metadata.manifests().findManifest(app, v1)).isPresent();
  }

  @Test
  void bytesSharedWithAKeptImageOrAnotherNamespaceAreNotAnnounced() throws Exception {
    Digest shared = f.pushBlob(app, f.randomBytes(7_000));
    Digest outside = f.pushBlob(repo("other/app"), f.randomBytes(9_000));
    f.registry.uploads().putMonolithic(app, outside,
        new java.io.ByteArrayInputStream(f.registry.blobs().open(repo("other/app"), outside)
            .openRange(0, 9_000).readAllBytes()));
    f.clock.advance(Duration.ofMinutes(1));
    f.pushImage(app, "v1", List.of(shared, outside));
    f.clock.advance(Duration.ofMinutes(1));
    f.pushImage(app, "v2", List.of(shared));
    f.clock.advance(Duration.ofMinutes(1));
    f.pushImage(repo("other/app"), "v1", List.of(outside));
    policies.set("team", """
        retention:
          rules:
            - repositories: ["**"]
              tags: ["v*"]
              keep: { mostRecentlyPushed: 1 }
        """, "test");

    RunRecord run = run(false, new ArrayList<>());

    // v1's own config and layer only: the shared layer stays with v2, the other one with other/app.
    assertThat(run.totals().bytesFreed()).isEqualTo(5_200);
    assertThat(f.gc(false, Duration.ZERO).bytesFreed()).isEqualTo(5_200);
  }

  @Test
  void referrersGoWithTheirSubjectAndAnIndexsChildrenAreNoCandidates() throws Exception {
    Digest old = push(app, "v1");
    Digest config = f.pushBlob(app, f.randomBytes(100));
    f.clock.advance(Duration.ofMinutes(1));
    Digest signature = f.putManifest(app, null,
        RegistryFixture.imageManifest(config, List.of(), Optional.of(old), "application/vnd.dev.cosign"));
    Digest child = push(app, null);
    f.clock.advance(Duration.ofMinutes(1));
    Digest index = f.putManifest(app, "v2", RegistryFixture.index(List.of(child)));
    push(app, "v3");
    keepTwoNewest();

    List<RunItem> items = new ArrayList<>();
    run(false, items);

    assertThat(items).filteredOn(i -> i.outcome() == Outcome.DELETED).extracting(RunItem::digest)
        .containsExactly(old, signature);
    assertThat(f.metadata.manifests().findManifest(app, signature)).isEmpty();
    assertThat(f.metadata.manifests().findManifest(app, index)).isPresent();
    assertThat(f.metadata.manifests().findManifest(app, child)).isPresent();
  }

  @Test
  void onlyTheNamespacesRepositoriesNotOnesWhoseNameStartsTheSame() throws Exception {
    Digest own = push(repo("team"), "v1");
    push(repo("team"), "v2");
    Digest lookalike = push(repo("team2/app"), "v1");
    Digest underscore = push(repo("team_x/app"), "v1");
    policies.set("team", """
        retention:
          rules:
            - repositories: ["**"]
              tags: ["**"]
              keep: { mostRecentlyPushed: 1 }
        """, "test");

    List<RunItem> items = new ArrayList<>();
    run(false, items);

    assertThat(items).filteredOn(i -> i.outcome() == Outcome.DELETED).extracting(RunItem::digest).containsExactly(own);
    assertThat(f.metadata.manifests().findManifest(repo("team2/app"), lookalike)).isPresent();
    assertThat(f.metadata.manifests().findManifest(repo("team_x/app"), underscore)).isPresent();
  }

  @Test
  void aPullCountsAtOnceBeforeThePullRecorderWritesIt() throws Exception {
    Digest pulledOnce = push(app, "v1");
    Digest neverPulled = push(app, "v2");
    f.registry.manifests().pulled(app, pulledOnce);
    policies.set("team", """
        retention:
          rules:
            - repositories: ["**"]
              tags: ["**"]
              keep: { mostRecentlyPulled: 1 }
        """, "test");

    List<RunItem> items = new ArrayList<>();
    run(true, items);

    assertThat(items).filteredOn(i -> i.outcome() == Outcome.KEPT).extracting(RunItem::digest)
        .containsExactly(pulledOnce);
    assertThat(items).filteredOn(i -> i.outcome() == Outcome.DELETED).extracting(RunItem::digest)
        .containsExactly(neverPulled);
  }

  @Test
  void anImageThatChangedAfterTheDecisionIsSkippedNotDeleted() throws Exception {
    Digest v1 = push(app, "v1");
    push(app, "v2");
    push(app, "v3");
    keepTwoNewest();
    // The decision is made on what the namespace held before v1 got another tag.
    List<NamespaceImage> before = f.metadata.retention().imagesOf(app);
    f.registry.manifests().put(app, Reference.parse("stable"), Optional.empty(),
        f.registry.manifests().get(app, Reference.parse("v1")).payload(), "alice");
    RetentionRuns stale = new RetentionRuns(readingContent(f.metadata, repository -> before), policies, f.clock,
        () -> { });

    List<RunItem> items = new ArrayList<>();
    RunRecord run = stale.runNow(new RetentionRuns.Request(Optional.of("team"), false, "tester", "api"), items::add);

    assertThat(run.totals().skipped()).isEqualTo(1);
    assertThat(run.totals().deleted()).isZero();
    RunItem skipped = items.stream().filter(i -> i.outcome() == Outcome.SKIPPED).findFirst().orElseThrow();
    assertThat(skipped.digest()).isEqualTo(v1);
    assertThat(skipped.reason()).contains("tag stable was put on it after the decision");
    assertThat(f.metadata.manifests().findManifest(app, v1)).isPresent();
    assertThat(f.metadata.manifests().resolveTag(app, new dev.berth.oci.Tag("v1"))).contains(v1);
  }

  @Test
  void aNamespaceWithoutAPolicyIsRefusedAndEveryNamespaceRunsItsOwn() throws Exception {
    assertThatThrownBy(() -> run(true, new ArrayList<>())).isInstanceOf(NoPolicyException.class)
        .hasMessage("namespace team has no policy");
    assertThat(runs.recentRuns(10)).isEmpty();

    push(app, "v1");
    push(app, "v2");
    push(app, "v3");
    push(repo("ops/tool"), "v1");
    push(repo("ops/tool"), "v2");
    keepTwoNewest();
    policies.set("ops", "retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {mostRecentlyPushed: 1}}]}",
        "test");
    policies.set("quiet", "immutable: [{repositories: ['**'], tags: ['v*']}]", "test");

    RunRecord all = runs.runNow(new RetentionRuns.Request(Optional.empty(), true, "tester", "api"), item -> { });

    assertThat(all.namespace()).isEmpty();
    assertThat(all.totals().deleted()).isEqualTo(2);
  }

  @Test
  void aRunWhoseProcessDiedReadsAsFailedOnceItsHeartbeatIsOld() {
    Instant started = f.clock.instant();
    f.metadata.retention().startRun(new RunRecord("00000000-0000-0000-0000-000000000001", Optional.of("team"),
        "tester", "api", false, Status.RUNNING, "12345@elsewhere", started, started, Optional.empty(), Totals.NONE,
        Optional.empty()));

    f.clock.advance(Duration.ofMinutes(1));
    assertThat(runs.findRun("00000000-0000-0000-0000-000000000001").orElseThrow().status()).isEqualTo(Status.RUNNING);
    f.clock.advance(Duration.ofMinutes(10));
    RunRecord closed = runs.findRun("00000000-0000-0000-0000-000000000001").orElseThrow();
    assertThat(closed.status()).isEqualTo(Status.FAILED);
    assertThat(closed.error().orElseThrow()).contains("interrupted").contains("12345@elsewhere");
  }

  @Test
  void aScheduledRunHappensInItsMinuteAndIsFollowedByACollection() throws Exception {
    push(app, "v1");
    push(app, "v2");
    push(app, "v3");
    policies.set("team", """
        retention:
          schedule: "30 2 * * *"
          rules:
            - repositories: ["**"]
              tags: ["v*"]
              keep: { mostRecentlyPushed: 2 }
        """, "test");
    GcService gc = new GcService(f.collector, f.metadata.history(), f.clock);
    RetentionSchedule schedule = new RetentionSchedule(runs, policies, gc,
        new GcOptions(false, false, Duration.ZERO, Duration.ofDays(7)));

    assertThat(schedule.runDue(Instant.parse("2026-01-02T02:29:00Z"))).isEmpty();
    assertThat(schedule.runDue(Instant.parse("2026-01-02T02:31:00Z"))).isEmpty();
    List<RunRecord> ran = schedule.runDue(Instant.parse("2026-01-02T02:30:00Z"));

    assertThat(ran).singleElement().satisfies(run -> {
      assertThat(run.trigger()).isEqualTo("schedule");
      assertThat(run.totals().deleted()).isEqualTo(1);
    });
    assertThat(gc.recentRuns(5)).singleElement().satisfies(collection -> {
      assertThat(collection.trigger()).isEqualTo("schedule");
      assertThat(collection.bytesFreed()).isEqualTo(ran.getFirst().totals().bytesFreed());
    });
  }

  /** The store, with a repository's content read through {@code content} instead. */
  private static MetadataStore readingContent(MetadataStore store,
      java.util.function.Function<RepositoryName, List<NamespaceImage>> content) {
    RetentionStore retention = store.retention();
    RetentionStore stale = (RetentionStore) Proxy.newProxyInstance(RetentionStore.class.getClassLoader(),
        new Class<?>[] {RetentionStore.class}, (proxy, method, args) -> method.getName().equals("imagesOf")
            ? content.apply((RepositoryName) args[0]) : invoke(method, retention, args));
    return (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
        new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> method.getName().equals("retention")
            ? stale : invoke(method, store, args));
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
