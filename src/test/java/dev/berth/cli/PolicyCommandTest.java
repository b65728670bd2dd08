package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth policy set/show/remove} in-process, on a data directory's stores. */
class PolicyCommandTest {
  private static final String POLICY = """
      # nightly, keeping releases
      retention:
        schedule: "0 2 * * *"
        rules:
          - repositories: ["**"]
            tags: ["v*", "!*-rc*"]
            keep: { mostRecentlyPushed: 10 }
      immutable:
        - repositories: ["**"]
          tags: ["v*.*.*"]
      quota: 20GiB
      """;

  @TempDir
  Path dir;
  private String config;

  @BeforeEach
  void dataDirectory() throws Exception {
    Path file = dir.resolve("config.yml");
    Files.writeString(file, "storage:\n  filesystem:\n    rootdirectory: " + Files.createDirectories(dir.resolve("data"))
        + "\n");
    config = file.toString();
  }

  private MainTest.Outcome berth(String... args) throws Exception {
    String[] withConfig = new String[args.length + 2];
    System.arraycopy(args, 0, withConfig, 0, args.length);
    withConfig[args.length] = "--config";
    withConfig[args.length + 1] = config;
    return MainTest.berthPrinting(withConfig);
  }

  @Test
  void aPolicyIsSetShownAsWrittenAndRemoved() throws Exception {
    Path file = Files.writeString(dir.resolve("team.yml"), POLICY);

    MainTest.Outcome set = berth("policy", "set", "team", file.toString());
    assertThat(set.status()).as(set.err()).isZero();
    assertThat(set.out()).isEqualTo("policy of team set from " + file + "\n");

    MainTest.Outcome show = berth("policy", "show", "team");
    assertThat(show.status()).as(show.err()).isZero();
    assertThat(show.out()).matches("(?s)# policy of team, set by \\S+ at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n"
        + java.util.regex.Pattern.quote(POLICY));

    // What show prints is a document set takes.
    Path shown = Files.writeString(dir.resolve("shown.yml"), show.out());
    assertThat(berth("policy", "set", "other", shown.toString()).status()).isZero();
    assertThat(berth("policy", "show", "other").out()).endsWith(POLICY);

    MainTest.Outcome remove = berth("policy", "remove", "team");
    assertThat(remove.status()).as(remove.err()).isZero();
    assertThat(remove.out()).isEqualTo("removed the policy of team\n");
    assertThat(berth("policy", "show", "other").status()).as("other namespaces keep theirs").isZero();
  }

  @Test
  void anInvalidFileChangesNothingAndListsEveryProblem() throws Exception {
    Path good = Files.writeString(dir.resolve("good.yml"), "quota: 1GiB\n");
    assertThat(berth("policy", "set", "team", good.toString()).status()).isZero();
    Path bad = Files.writeString(dir.resolve("bad.yml"), """
        retention:
          schedule: "61 * * * *"
          rules:
            - repositories: ["**"]
              tags: ["**"]
              keep: { mostRecentlyPushed: -2, pulledWithinDays: 3 }
        immutable: yes
        owner: me
        """);

    MainTest.Outcome set = berth("policy", "set", "team", bad.toString());

    assertThat(set.status()).isEqualTo(ExitStatus.USAGE.code);
    assertThat(set.out()).isEmpty();
    assertThat(set.err().lines().toList()).hasSize(5)
        .first().isEqualTo("berth policy set: " + bad + " is not a valid policy; nothing changed");
    assertThat(set.err())
        .contains("berth policy set: owner: unknown key")
        .contains("berth policy set: immutable: must be a list")
        .contains("berth policy set: retention.schedule: ")
        .contains("berth policy set: retention.rules[0].keep: exactly one criterion, found mostRecentlyPushed and pulledWithinDays");
    assertThat(berth("policy", "show", "team").out()).endsWith("quota: 1GiB\n");
  }

  @Test
  void whatIsNotThereExitsThree() throws Exception {
    MainTest.Outcome show = berth("policy", "show", "team");
    assertThat(show.status()).isEqualTo(ExitStatus.NOT_FOUND.code);
    assertThat(show.err()).isEqualTo("berth policy show: team has no policy\n");
    MainTest.Outcome remove = berth("policy", "remove", "team");
    assertThat(remove.status()).isEqualTo(ExitStatus.NOT_FOUND.code);
    assertThat(remove.err()).isEqualTo("berth policy remove: team has no policy\n");
    MainTest.Outcome noFile = berth("policy", "set", "team", dir.resolve("missing.yml").toString());
    assertThat(noFile.status()).isEqualTo(ExitStatus.NOT_FOUND.code);
    assertThat(noFile.err()).isEqualTo("berth policy set: no file " + dir.resolve("missing.yml") + "\n");
  }

  @Test
  void aBadNamespaceIsAUsageError() throws Exception {
    Path file = Files.writeString(dir.resolve("team.yml"), POLICY);

    MainTest.Outcome set = berth("policy", "set", "Team", file.toString());

    assertThat(set.status()).isEqualTo(ExitStatus.USAGE.code);
    assertThat(set.err()).startsWith("berth policy set: ").contains("Team");
  }
}
