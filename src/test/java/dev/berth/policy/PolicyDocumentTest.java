package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyDocumentTest {

  /** The issue's example, word for word. */
  static final String ISSUE_EXAMPLE = """
      retention:
        schedule: "0 2 * * *"         # optional, UNIX cron; a scheduled run is followed by a GC run
        rules:                         # an image is kept when ANY rule keeps it
          - repositories: ["**"]       # patterns on the repository path inside the namespace (** spans /)
            tags: ["v*", "!*-rc*"]     # tag patterns; a leading ! excludes
            untagged: false            # true: the rule also covers images with no tag
            keep: { mostRecentlyPushed: 10 }
          - repositories: ["app", "app/**"]
            tags: ["**"]
            keep: { pulledWithinDays: 30 }
      immutable:                       # tags no push may move and no delete or rule may remove
        - repositories: ["**"]
          tags: ["v*.*.*"]
      quota: 20GiB                     # storage quota of the namespace (B, KiB, MiB, GiB, TiB); absent: none
      """;

  static final NamespacePolicy ISSUE_POLICY = new NamespacePolicy(
      new Retention(Optional.of(new CronSchedule("0 2 * * *")), List.of(
          new RetentionRule(PatternSet.repositories("**"), PatternSet.tags("v*", "!*-rc*"), false, new Keep.MostRecentlyPushed(10)),
          new RetentionRule(PatternSet.repositories("app", "app/**"), PatternSet.tags("**"), false, new Keep.PulledWithinDays(30)))),
      List.of(new ImmutableRule(PatternSet.repositories("**"), PatternSet.tags("v*.*.*"))),
      Optional.of(ByteSize.parse("20GiB")));

  @Test
  void readsTheIssuesExample() {
    assertThat(PolicyDocument.read(ISSUE_EXAMPLE)).isEqualTo(ISSUE_POLICY);
  }

  @Test
  void readsTheSameShapeAsJson() {
    String json = """
        {"retention": {"schedule": "0 2 * * *", "rules": [
           {"repositories": ["**"], "tags": ["v*", "!*-rc*"], "untagged": false, "keep": {"mostRecentlyPushed": 10}},
           {"repositories": ["app", "app/**"], "tags": ["**"], "keep": {"pulledWithinDays": 30}}]},
         "immutable": [{"repositories": ["**"], "tags": ["v*.*.*"]}],
         "quota": "20GiB"}
        """;
    assertThat(PolicyDocument.read(json)).isEqualTo(ISSUE_POLICY);
  }

  static Stream<Arguments> goodDocuments() {
    return Stream.of(
        Arguments.of("", NamespacePolicy.NONE),
        Arguments.of("{}", NamespacePolicy.NONE),
        Arguments.of("quota: 512 MiB", new NamespacePolicy(Retention.NONE, List.of(), Optional.of(ByteSize.parse("512MiB")))),
        Arguments.of("quota: 0B", new NamespacePolicy(Retention.NONE, List.of(), Optional.of(new ByteSize(0)))),
        Arguments.of("""
            retention:
              rules:
                - {repositories: ["**"], tags: ["**"], untagged: true, keep: {mostRecentlyPushed: 0}}
                - {repositories: ["!scratch/**"], tags: ["latest"], keep: {always: true}}
                - {repositories: ["*"], tags: ["!latest"], keep: {mostRecentlyPulled: 3}}
                - {repositories: ["db"], tags: ["*"], keep: {pushedWithinDays: 7}}
            """, new NamespacePolicy(new Retention(Optional.empty(), List.of(
                new RetentionRule(PatternSet.repositories("**"), PatternSet.tags("**"), true, new Keep.MostRecentlyPushed(0)),
                new RetentionRule(PatternSet.repositories("!scratch/**"), PatternSet.tags("latest"), false, new Keep.Always()),
                new RetentionRule(PatternSet.repositories("*"), PatternSet.tags("!latest"), false, new Keep.MostRecentlyPulled(3)),
                new RetentionRule(PatternSet.repositories("db"), PatternSet.tags("*"), false, new Keep.PushedWithinDays(7)))),
                List.of(), Optional.empty())),
        Arguments.of("immutable: [{repositories: [app], tags: [latest, stable]}]", new NamespacePolicy(Retention.NONE,
            List.of(new ImmutableRule(PatternSet.repositories("app"), PatternSet.tags("latest", "stable"))), Optional.empty())));
  }

  @ParameterizedTest
  @MethodSource("goodDocuments")
  void readsGoodDocuments(String document, NamespacePolicy expected) {
    assertThat(PolicyDocument.read(document)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("goodDocuments")
  void writesWhatItReadsBackAsYamlAndJson(String document, NamespacePolicy policy) {
    assertThat(PolicyDocument.read(PolicyDocument.toYaml(policy))).isEqualTo(policy);
    assertThat(PolicyDocument.read(PolicyDocument.toJson(policy))).isEqualTo(policy);
  }

  @Test
  void writesTheIssuesExampleBack() {
    String yaml = PolicyDocument.toYaml(ISSUE_POLICY);
    assertThat(PolicyDocument.read(yaml)).isEqualTo(ISSUE_POLICY);
    assertThat(PolicyDocument.read(PolicyDocument.toJson(ISSUE_POLICY))).isEqualTo(ISSUE_POLICY);
    assertThat(yaml).contains("quota: \"20GiB\"").contains("mostRecentlyPushed: 10").doesNotContain("untagged");
  }

  /** Each bad document with the beginnings of its problems: a mapping's unknown keys, then its values in order. */
  static Stream<Arguments> badDocuments() {
    return Stream.of(
        Arguments.of("[1, 2]", List.of("the document: must be a mapping")),
        Arguments.of("retention: {rules: [}", List.of("not a valid document (line 1")),
        Arguments.of("quota: 1GiB\nquota: 2GiB", List.of("not a valid document (line 2")),
        Arguments.of("colour: blue", List.of("colour: unknown key (expected one of immutable, quota, retention)")),
        Arguments.of("quota: 20GB", List.of("quota: invalid size \"20GB\"")),
        Arguments.of("quota: 20", List.of("quota: must be a size with a unit")),
        Arguments.of("quota: 99999999TiB", List.of("quota: size \"99999999TiB\" is too large")),
        Arguments.of("retention: {schedule: \"0 2 * *\", rules: []}",
            List.of("retention.schedule: invalid cron expression \"0 2 * *\"")),
        Arguments.of("retention: {schedule: \"0 2 * * *\"}",
            List.of("retention: a schedule needs at least one rule to run")),
        Arguments.of("retention: {rules: {}}", List.of("retention.rules: must be a list")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {mostRecentlyPushed: 3, pulledWithinDays: 7}}]}",
            List.of("retention.rules[0].keep: exactly one criterion, found mostRecentlyPushed and pulledWithinDays")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {}}]}",
            List.of("retention.rules[0].keep: needs one criterion, one of mostRecentlyPushed, mostRecentlyPulled")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**']}]}",
            List.of("retention.rules[0].keep: missing")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {mostRecentlyPulled: -1}}]}",
            List.of("retention.rules[0].keep: mostRecentlyPulled must not be negative, was -1")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {pushedWithinDays: 1.5}}]}",
            List.of("retention.rules[0].keep.pushedWithinDays: must be a whole number, was 1.5")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {pushedWithinDays: '7'}}]}",
            List.of("retention.rules[0].keep.pushedWithinDays: must be a whole number")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {always: false}}]}",
            List.of("retention.rules[0].keep.always: must be true")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], keep: {forever: 1}}]}",
            List.of("retention.rules[0].keep.forever: unknown key", "retention.rules[0].keep: needs one criterion")),
        Arguments.of("retention: {rules: [{repositories: ['**'], tags: ['**'], untagged: 'yes please', keep: {always: true}}]}",
            List.of("retention.rules[0].untagged: must be true or false")),
        Arguments.of("retention: {rules: [{repositories: ['a//b', 'ok', 'x**'], tags: [], keep: {always: true}}]}",
            List.of("retention.rules[0].repositories[0]: pattern \"a//b\" has an empty path segment",
                "retention.rules[0].repositories[2]: pattern \"x**\": ** must be a whole path segment",
                "retention.rules[0].tags: needs at least one pattern")),
        Arguments.of("retention: {rules: [{tags: [1], keep: {always: true}}]}",
            List.of("retention.rules[0].repositories: missing", "retention.rules[0].tags[0]: must be a string")),
        Arguments.of("immutable: {repositories: ['**']}", List.of("immutable: must be a list")),
        Arguments.of("immutable: [{repositories: ['**'], tags: ['app/latest']}]",
            List.of("immutable[0].tags[0]: tag pattern \"app/latest\" cannot match: a tag has no /")),
        Arguments.of("immutable: [{repositories: ['**'], tags: ['v[0-9]'], keep: {always: true}}]",
            List.of("immutable[0].keep: unknown key", "immutable[0].tags[0]: pattern \"v[0-9]\": character \"[\"")),
        // Every problem of a document at once, not just the first.
        Arguments.of("""
            retention:
              schedule: "at two"
              rules:
                - repositories: ["**"]
                  tags: ["v*", "!"]
                  keep: { mostRecentlyPushed: -2 }
                - repositories: ["app"]
                  tags: ["**"]
                  keep: { mostRecentlyPushed: 1, always: true }
                  colour: blue
            immutable:
              - tags: ["v*.*.*"]
            quota: lots
            owner: me
            """, List.of(
                "owner: unknown key",
                "retention.schedule: invalid cron expression \"at two\"",
                "retention.rules[0].tags[1]: empty pattern",
                "retention.rules[0].keep: mostRecentlyPushed must not be negative, was -2",
                "retention.rules[1].colour: unknown key",
                "retention.rules[1].keep: exactly one criterion, found mostRecentlyPushed and always",
                "immutable[0].repositories: missing",
                "quota: invalid size \"lots\"")));
  }

  @Test
  void aDocumentThatIsNotYamlIsNamedOnOneLine() {
    assertThatThrownBy(() -> PolicyDocument.read("retention: [\n"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(p -> assertThat(p).startsWith("not a valid document (line ").doesNotContain("\n")));
  }

  @ParameterizedTest
  @MethodSource("badDocuments")
  void refusesBadDocumentsWholeNamingEveryProblem(String document, List<String> expected) {
    assertThatThrownBy(() -> PolicyDocument.read(document))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> {
          assertThat(e.problems()).as("problems").hasSameSizeAs(expected);
          for (int i = 0; i < expected.size(); i++) {
            assertThat(e.problems().get(i)).startsWith(expected.get(i));
          }
        });
  }
}
