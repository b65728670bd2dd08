package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetentionEvaluatorTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** An image named by a label (its digest is the label's sha256), pushed and pulled days before NOW. */
  record Img(String label, String repository, String tags, double pushedDaysAgo, Double pulledDaysAgo,
      boolean listedByIndex, String subject) {

    Img pulled(double daysAgo) {
      return new Img(label, repository, tags, pushedDaysAgo, daysAgo, listedByIndex, subject);
    }

    Img inIndex() {
      return new Img(label, repository, tags, pushedDaysAgo, pulledDaysAgo, true, subject);
    }

    Img referrerOf(String subjectLabel) {
      return new Img(label, repository, tags, pushedDaysAgo, pulledDaysAgo, listedByIndex, subjectLabel);
    }

    Image image() {
      TreeSet<Tag> tagSet = new TreeSet<>();
      if (!tags.isBlank()) {
        Arrays.stream(tags.split(",")).map(String::strip).map(Tag::of).forEach(tagSet::add);
      }
      return new Image(RepositoryName.of(repository), digest(label), tagSet, daysAgo(pushedDaysAgo),
          Optional.ofNullable(pulledDaysAgo).map(RetentionEvaluatorTest::daysAgo), listedByIndex,
          Optional.ofNullable(subject).map(RetentionEvaluatorTest::digest));
    }
  }

  static Img img(String label, String repository, String tags, double pushedDaysAgo) {
    return new Img(label, repository, tags, pushedDaysAgo, null, false, null);
  }

  static Digest digest(String label) {
    return Digest.sha256(label.getBytes(StandardCharsets.UTF_8));
  }

  static Instant daysAgo(double days) {
    return NOW.minus(Duration.ofMinutes(Math.round(days * 24 * 60)));
  }

  static String rule(String repositories, String tags, String keep) {
    return rule(repositories, tags, false, keep);
  }

  static String rule(String repositories, String tags, boolean untagged, String keep) {
    return "    - {repositories: [" + repositories + "], tags: [" + tags + "], untagged: " + untagged
        + ", keep: {" + keep + "}}\n";
  }

  static String retention(String... rules) {
    return "retention:\n  rules:\n" + String.join("", rules);
  }

  static Arguments when(String name, String policy, List<Img> images, String expected) {
    return Arguments.of(name, policy, images, expected);
  }

  /** Expected decisions: {@code label OUTCOME [rule]}, separated by {@code ;}. */
  static Stream<Arguments> cases() {
    return Stream.of(
        when("mostRecentlyPushed keeps the N pushed last, counted per repository",
            retention(rule("'**'", "'**'", "mostRecentlyPushed: 2")),
            List.of(img("c", "team/app", "c", 3), img("a", "team/app", "a", 1), img("b", "team/app", "b", 2),
                img("x", "team/db", "x", 5), img("y", "team/db", "y", 9)),
            "a KEPT retention.rules[0]; b KEPT retention.rules[0]; c DELETED retention.rules[0];"
                + " x KEPT retention.rules[0]; y KEPT retention.rules[0]"),
        when("mostRecentlyPulled: a never-pulled image is the least recently pulled",
            retention(rule("'**'", "'**'", "mostRecentlyPulled: 2")),
            List.of(img("a", "team/app", "a", 30).pulled(5), img("b", "team/app", "b", 40).pulled(1),
                img("c", "team/app", "c", 1)),
            "a KEPT retention.rules[0]; b KEPT retention.rules[0]; c DELETED retention.rules[0]"),
        when("mostRecentlyPulled: among never-pulled images the more recently pushed comes first",
            retention(rule("'**'", "'**'", "mostRecentlyPulled: 2")),
            List.of(img("a", "team/app", "a", 30).pulled(5), img("old", "team/app", "old", 9), img("new", "team/app", "new", 2)),
            "a KEPT retention.rules[0]; new KEPT retention.rules[0]; old DELETED retention.rules[0]"),
        when("pushedWithinDays: the window ends exactly D days before the clock",
            retention(rule("'**'", "'**'", "pushedWithinDays: 7")),
            List.of(img("a", "team/app", "a", 6), img("b", "team/app", "b", 7), img("c", "team/app", "c", 7.01)),
            "a KEPT retention.rules[0]; b KEPT retention.rules[0]; c DELETED retention.rules[0]"),
        when("pulledWithinDays: a never-pulled image is outside every window",
            retention(rule("'**'", "'**'", "pulledWithinDays: 30")),
            List.of(img("a", "team/app", "a", 90).pulled(10), img("b", "team/app", "b", 90).pulled(31),
                img("c", "team/app", "c", 1)),
            "a KEPT retention.rules[0]; b DELETED retention.rules[0]; c DELETED retention.rules[0]"),
        when("always keeps all it covers",
            retention(rule("'**'", "'**'", "always: true")),
            List.of(img("a", "team/app", "a", 900), img("b", "team/app/api", "b", 1)),
            "a KEPT retention.rules[0]; b KEPT retention.rules[0]"),
        when("zero keeps nothing: everything covered goes",
            retention(rule("'**'", "'**'", "mostRecentlyPushed: 0")),
            List.of(img("a", "team/app", "a", 1)),
            "a DELETED retention.rules[0]"),
        when("* stays within one segment, ** spans them, app/** is strictly under app",
            retention(rule("'*'", "'**'", "mostRecentlyPushed: 0"), rule("'app/**'", "'**'", "pushedWithinDays: 0")),
            List.of(img("top", "team/app", "t", 1), img("deep", "team/app/api", "d", 1),
                img("deeper", "team/app/api/v1", "d", 1), img("other", "team/lib/x", "o", 1)),
            "top DELETED retention.rules[0]; deep DELETED retention.rules[1]; deeper DELETED retention.rules[1];"
                + " other NOT_COVERED"),
        when("a repository named as its namespace has the empty path, which ** matches",
            retention(rule("'app'", "'**'", "mostRecentlyPushed: 0"), rule("'**'", "'x'", "mostRecentlyPushed: 0")),
            List.of(img("root", "team", "x", 1), img("app", "team/app", "y", 1)),
            "root DELETED retention.rules[1]; app DELETED retention.rules[0]"),
        when("! excludes tags from a rule's cover",
            retention(rule("'**'", "'v*', '!*-rc*'", "mostRecentlyPushed: 0")),
            List.of(img("rel", "team/app", "v1", 1), img("rc", "team/app", "v2-rc1", 1), img("latest", "team/app", "latest", 1)),
            "rel DELETED retention.rules[0]; rc NOT_COVERED; latest NOT_COVERED"),
        when("! alone covers everything it does not exclude",
            retention(rule("'!scratch/**'", "'!latest'", "mostRecentlyPushed: 0")),
            List.of(img("a", "team/app", "v1", 1), img("b", "team/app", "latest", 1), img("c", "team/scratch/x", "v1", 1)),
            "a DELETED retention.rules[0]; b NOT_COVERED; c NOT_COVERED"),
        when("an image is covered when any of its tags matches, and goes whole",
            retention(rule("'**'", "'v*'", "mostRecentlyPushed: 1")),
            List.of(img("old", "team/app", "v1, latest, stable", 5), img("new", "team/app", "v2", 1)),
            "old DELETED retention.rules[0]; new KEPT retention.rules[0]"),
        when("an image is kept when any rule keeps it, by the first that does",
            retention(rule("'**'", "'v*'", "mostRecentlyPushed: 1"), rule("'**'", "'latest'", "always: true"),
                rule("'**'", "'**'", "always: true")),
            List.of(img("old", "team/app", "v1, latest", 5), img("new", "team/app", "v2", 1)),
            "old KEPT retention.rules[1]; new KEPT retention.rules[0]"),
        when("untagged images are covered only by rules that say so",
            retention(rule("'app'", "'**'", "mostRecentlyPushed: 0"), rule("'db'", "'**'", true, "mostRecentlyPushed: 1")),
            List.of(img("app-untagged", "team/app", "", 1), img("app-tagged", "team/app", "v1", 1),
                img("db-untagged", "team/db", "", 3), img("db-tagged", "team/db", "v1", 2)),
            "app-untagged NOT_COVERED; app-tagged DELETED retention.rules[0];"
                + " db-untagged DELETED retention.rules[1]; db-tagged KEPT retention.rules[1]"),
        when("the manifests an index lists are never candidates and take no place in the count",
            retention(rule("'**'", "'**'", true, "mostRecentlyPushed: 1")),
            List.of(img("index", "team/app", "v2", 5), img("amd64", "team/app", "", 4).inIndex(),
                img("arm64", "team/app", "arm", 4).inIndex(), img("single", "team/app", "v1", 6)),
            "index KEPT retention.rules[0]; amd64 NOT_COVERED; arm64 NOT_COVERED; single DELETED retention.rules[0]"),
        when("an index deleted leaves its children to GC",
            retention(rule("'**'", "'**'", true, "mostRecentlyPushed: 0")),
            List.of(img("index", "team/app", "v2", 5), img("amd64", "team/app", "", 5).inIndex()),
            "index DELETED retention.rules[0]; amd64 NOT_COVERED"),
        when("referrers go with their subject, along chains, and take no place in the count",
            retention(rule("'**'", "'**'", true, "mostRecentlyPushed: 1")),
            List.of(img("kept", "team/app", "v2", 3), img("gone", "team/app", "v1", 5),
                img("sig-kept", "team/app", "", 1).referrerOf("kept"), img("sig-gone", "team/app", "", 1).referrerOf("gone"),
                img("sig-of-sig", "team/app", "sha256-x.sig", 1).referrerOf("sig-gone"),
                img("orphan", "team/app", "", 1).referrerOf("missing")),
            "kept KEPT retention.rules[0]; gone DELETED retention.rules[0]; sig-kept KEPT retention.rules[0];"
                + " sig-gone DELETED retention.rules[0]; sig-of-sig DELETED retention.rules[0]; orphan NOT_COVERED"),
        when("a referrer of an index's child stays with the child",
            retention(rule("'**'", "'**'", true, "mostRecentlyPushed: 0")),
            List.of(img("child", "team/app", "", 5).inIndex(), img("sig", "team/app", "", 1).referrerOf("child")),
            "child NOT_COVERED; sig NOT_COVERED"),
        when("an image carrying an immutable tag is never deleted, though it fills its place in the count",
            retention(rule("'**'", "'v*'", "mostRecentlyPushed: 1"))
                + "immutable:\n  - {repositories: ['app'], tags: ['v*.*.*']}\n",
            List.of(img("frozen", "team/app", "v1.0.0", 9), img("older", "team/app", "v1.1", 5),
                img("newest", "team/app", "v1.2.0", 1), img("elsewhere", "team/db", "v1.0.0", 9),
                img("elsewhere-new", "team/db", "v2", 1)),
            "frozen KEPT immutable[0]; older DELETED retention.rules[0]; newest KEPT retention.rules[0];"
                + " elsewhere DELETED retention.rules[0]; elsewhere-new KEPT retention.rules[0]"),
        when("an image whose referrer carries an immutable tag stays, with the referrer",
            retention(rule("'**'", "'**'", true, "mostRecentlyPushed: 0")) + "immutable:\n  - {repositories: ['**'], tags: ['signed']}\n",
            List.of(img("subject", "team/app", "v1", 5), img("sig", "team/app", "signed", 1).referrerOf("subject")),
            "subject KEPT immutable[0]; sig KEPT immutable[0]"),
        when("images no rule covers are left alone",
            retention(rule("'db'", "'**'", true, "mostRecentlyPushed: 0")),
            List.of(img("a", "team/app", "v1", 900), img("b", "team/app", "", 900)),
            "a NOT_COVERED; b NOT_COVERED"),
        when("a policy without retention covers nothing",
            "quota: 1GiB",
            List.of(img("a", "team/app", "v1", 900)),
            "a NOT_COVERED"),
        when("the example of docs/retention.md",
            retention(rule("'**'", "'v*', '!*-rc*'", "mostRecentlyPushed: 2"))
                + "immutable:\n  - {repositories: ['**'], tags: ['v1.0.0']}\n",
            List.of(img("v1.0.0", "team/app", "v1.0.0", 5), img("v1.1.0", "team/app", "v1.1.0", 4),
                img("v1.2.0", "team/app", "v1.2.0", 3), img("rc", "team/app", "v1.3.0-rc1", 2),
                img("latest", "team/app", "latest", 1)),
            "v1.0.0 KEPT immutable[0]; v1.1.0 KEPT retention.rules[0]; v1.2.0 KEPT retention.rules[0];"
                + " rc NOT_COVERED; latest NOT_COVERED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, String policy, List<Img> images, String expected) {
    List<Image> given = images.stream().map(Img::image).toList();
    List<Decision> decisions = new RetentionEvaluator(PolicyDocument.read(policy), CLOCK).evaluate(given);

    assertThat(decisions).extracting(Decision::image).containsExactlyElementsOf(given);
    Map<String, String> actual = new LinkedHashMap<>();
    for (int i = 0; i < images.size(); i++) {
      Decision d = decisions.get(i);
      actual.put(images.get(i).label(), (d.outcome() + " " + d.rule().orElse("")).strip());
    }
    Map<String, String> wanted = Arrays.stream(expected.split(";")).map(String::strip)
        .collect(Collectors.toMap(e -> e.substring(0, e.indexOf(' ')), e -> e.substring(e.indexOf(' ') + 1),
            (a, b) -> a, LinkedHashMap::new));
    assertThat(actual).containsExactlyInAnyOrderEntriesOf(wanted);
  }

  @Test
  void timeWindowsFollowTheInjectedClock() {
    NamespacePolicy policy = PolicyDocument.read(retention(rule("'**'", "'**'", "pushedWithinDays: 7"),
        rule("'**'", "'**'", "pulledWithinDays: 3")));
    Image image = img("a", "team/app", "v1", 6).pulled(6).image();
    assertThat(new RetentionEvaluator(policy, CLOCK).evaluate(List.of(image)).getFirst().outcome())
        .isEqualTo(Decision.Outcome.KEPT);
    Clock dayLater = Clock.offset(CLOCK, Duration.ofDays(1).plusSeconds(1));
    Decision later = new RetentionEvaluator(policy, dayLater).evaluate(List.of(image)).getFirst();
    assertThat(later.outcome()).isEqualTo(Decision.Outcome.DELETED);
    assertThat(later.rule()).contains("retention.rules[0]");
    assertThat(later.reason()).isEqualTo("pushed " + daysAgo(6) + ", before the last 7 days");
  }

  @Test
  void reasonsSayWhichRuleDecidedAndWhy() {
    NamespacePolicy policy = PolicyDocument.read(retention(rule("'**'", "'v*'", "mostRecentlyPushed: 1"),
        rule("'**'", "'**'", "pulledWithinDays: 30")) + "immutable:\n  - {repositories: ['**'], tags: ['v1.0.0']}\n");
    List<Decision> decisions = new RetentionEvaluator(policy, CLOCK).evaluate(List.of(
        img("new", "team/app", "v2", 1).image(), img("old", "team/app", "v1", 5).image(),
        img("frozen", "team/app", "v1.0.0", 9).image(), img("sig", "team/app", "", 0).referrerOf("old").image()));
    assertThat(decisions).extracting(Decision::reason).containsExactly(
        "among the 1 most recently pushed images it covers in team/app",
        "not among the 1 most recently pushed images it covers in team/app",
        "carries the immutable tag v1.0.0 (retention.rules[0] would delete it: not among the 1 most recently pushed"
            + " images it covers in team/app)",
        "referrer of " + digest("old") + ", goes with it: not among the 1 most recently pushed images it covers"
            + " in team/app");
  }

  @Test
  void refusesImagesOfSeveralNamespacesOrTheSameImageTwice() {
    RetentionEvaluator evaluator = new RetentionEvaluator(NamespacePolicy.NONE, CLOCK);
    assertThatThrownBy(() -> evaluator.evaluate(List.of(img("a", "team/app", "", 1).image(), img("b", "other/app", "", 1).image())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("several namespaces");
    assertThatThrownBy(() -> evaluator.evaluate(List.of(img("a", "team/app", "", 1).image(), img("a", "team/app", "v1", 1).image())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("given twice");
  }
}
