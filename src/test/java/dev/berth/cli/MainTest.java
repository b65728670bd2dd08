package dev.berth.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.cleanup.GcOptions;
import dev.berth.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line in-process: dispatch, help, version, usage errors, and what each command's options parse to. */
class MainTest {
  private static final Settings.Gc CONFIGURED = new Settings.Gc(Optional.empty(), true, Duration.ofHours(2), Duration.ofHours(3));

  record Outcome(int status, String out, String err) {}

  static Outcome berth(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    return new Outcome(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  /**
   * Runs berth with the commands' own output captured: they print to System.out, the stream a
   * script reads, rather than to the one {@link Main#run} is handed for usage and failures.
   */
  static Outcome berthPrinting(String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, UTF_8));
    try {
      Outcome outcome = berth(args);
      return new Outcome(outcome.status(), outcome.out() + printed.toString(UTF_8), outcome.err());
    } finally {
      System.setOut(original);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help"})
  void helpListsEveryCommandWithItsSummary(String help) throws Exception {
    Outcome outcome = berth(help);
    assertThat(outcome.status()).isZero();
    assertThat(outcome.err()).isEmpty();
    assertThat(outcome.out()).startsWith("Usage: berth [-h] [-V] COMMAND")
        .contains("--version", "print the version and exit")
        .containsPattern("(?m)^serve +Run the registry\\.")
        .containsPattern("(?m)^worker +Run the scheduled jobs \\(gc.schedule, storage samples\\) of a$")
        .containsPattern("(?m)^gc +Collect garbage, online\\.$")
        .containsPattern("(?m)^fsck +Check that metadata and storage agree")
        .containsPattern("(?m)^import +Adopt a Docker Registry 2.x storage root in place")
        .containsPattern("(?m)^user +Manage users, namespace roles and robot accounts")
        .containsPattern("(?m)^policy +Set, show or remove a namespace's policy")
        .containsPattern("(?m)^help +Show a command's help: berth help COMMAND$")
        .doesNotContainPattern("(?m) $");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      gc --help      | Usage: berth gc [-c=<FILE>] [--dry-run] [--grace=<DURATION>] [-h] [-m]
      gc -h          | Usage: berth gc [-c=<FILE>] [--dry-run] [--grace=<DURATION>] [-h] [-m]
      help gc        | Usage: berth gc [-c=<FILE>] [--dry-run] [--grace=<DURATION>] [-h] [-m]
      serve --help   | Usage: berth serve [-c=<FILE>] [-h] [-V]
      user --help    | Usage: berth user [-h] [-V] COMMAND
      user help      | Usage: berth user [-h] [-V] COMMAND
      help user      | Usage: berth user [-h] [-V] COMMAND
      user add -h    | Usage: berth user add [--admin] [-c=<FILE>] [-h] [--password-stdin] [-V] NAME
      help user add  | Usage: berth user add [--admin] [-c=<FILE>] [-h] [--password-stdin] [-V] NAME
      user grant x -h| Usage: berth user grant [-c=<FILE>] [-h] [-V] NAME NAMESPACE ROLE
      """)
  void helpOfACommandShowsItsUsage(String args, String usage) throws Exception {
    Outcome outcome = berth(args.split(" "));
    assertThat(outcome.status()).isZero();
    assertThat(outcome.err()).isEmpty();
    assertThat(outcome.out()).startsWith(usage);
  }

  @Test
  void gcHelpDescribesEveryOption() throws Exception {
    assertThat(berth("gc", "--help").out()).contains(
        "With --url the run is handed to that server (any\nreplica) and followed.", "on PostgreSQL it runs\nhere",
        "--url <URL>", "hand the run to the server at URL (its admin",
        "--user <NAME>", "with --url: an administrator's name; the",
        "-c, --config <FILE>", "the server's YAML configuration",
        "--dry-run", "change nothing; list exactly what a real run",
        "-m, --delete-untagged", "also collect untagged manifests",
        "--grace <DURATION>", "keep anything younger than this",
        "(default: the configuration's gc.grace, 24h)", "gc.uploadmaxage, 168h)",
        "--orphans", "also walk the blob store",
        "--upload-max-age <DURATION>", "purge upload sessions idle this long",
        "-h, --help", "-V, --version");
  }

  @Test
  void everyCommandHasHelp() throws Exception {
    List<List<String>> commands = new ArrayList<>();
    Main.COMMANDS.all().keySet().forEach(name -> commands.add(List.of(name)));
    UserCommand.commands().all().keySet().forEach(name -> commands.add(List.of("user", name)));
    PolicyCommand.commands().all().keySet().forEach(name -> commands.add(List.of("policy", name)));
    for (List<String> command : commands) {
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      Outcome outcome = berth(args.toArray(String[]::new));
      assertThat(outcome.status()).as(String.join(" ", args)).isZero();
      assertThat(outcome.out()).as(String.join(" ", args)).startsWith("Usage: berth " + String.join(" ", command) + " ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--version", "-V", "serve -V", "user add --version"})
  void versionNamesBerth(String args) throws Exception {
    Outcome outcome = berth(args.split(" "));
    assertThat(outcome.status()).isZero();
    // The version comes from the jar's manifest; classes run from target/classes have none.
    assertThat(outcome.out()).isEqualTo("berth development build\n");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      ''                                     | berth: a command is required: serve, worker, gc, fsck, import, user, policy, retention, training-run | berth --help
      bogus                                  | berth: unknown command 'bogus'                                        | berth --help
      help bogus                             | berth: unknown command 'bogus'                                        | berth --help
      --bogus                                | berth: unknown option '--bogus'                                       | berth --help
      serve --bogus                          | berth serve: unknown option '--bogus'                                 | berth serve --help
      serve --conf x.yml                     | berth serve: unknown option '--conf'                                  | berth serve --help
      serve -c                               | berth serve: -c/--config needs a value (FILE)                         | berth serve --help
      serve x.yml                            | berth serve: unexpected argument 'x.yml'                              | berth serve --help
      gc --grace                             | berth gc: --grace needs a value (DURATION)                            | berth gc --help
      gc --grace 5x                          | berth gc: invalid value '5x' for --grace                              | berth gc --help
      gc --upload-max-age=soon               | berth gc: invalid value 'soon' for --upload-max-age                   | berth gc --help
      gc --url http://127.0.0.1:1            | berth gc: --url needs --user, an administrator of that server         | berth gc --help
      gc --url ftp://x --user admin          | berth gc: --url must be http(s)://host[:port], got ftp://x            | berth gc --help
      fsck --verify                          | berth fsck: unknown option '--verify'                                 | berth fsck --help
      user                                   | berth user: a command is required: add, passwd, remove, list, grant, revoke, public, robot, robot-revoke | berth user --help
      user frobnicate                        | berth user: unknown command 'frobnicate'                              | berth user --help
      user add                               | berth user add: missing NAME                                          | berth user add --help
      user grant alice team                  | berth user grant: missing ROLE                                        | berth user grant --help
      user revoke                            | berth user revoke: missing NAME NAMESPACE                             | berth user revoke --help
      user remove alice bob                  | berth user remove: unexpected argument 'bob'                          | berth user remove --help
      user robot team ci --expires-in-days x | berth user robot: invalid value 'x' for --expires-in-days             | berth user robot --help
      policy                                 | berth policy: a command is required: set, show, remove                | berth policy --help
      policy set team                        | berth policy set: missing FILE                                        | berth policy set --help
      policy show                            | berth policy show: missing NAMESPACE                                  | berth policy show --help
      """)
  void usageErrorsAreOneLineAndAHintAndExitTwo(String args, String problem, String help) throws Exception {
    Outcome outcome = berth(args.isEmpty() ? new String[0] : args.split(" "));
    assertThat(outcome.status()).isEqualTo(ExitStatus.USAGE.code);
    assertThat(outcome.out()).isEmpty();
    assertThat(outcome.err()).isEqualTo(problem + "\nSee '" + help + "'.\n");
  }

  @Test
  void aRunBuildsOnlyTheCommandItNames() throws Exception {
    List<String> built = new ArrayList<>();
    Commands commands = new Commands("test").add("a", () -> built("a", built)).add("b", () -> built("b", built));
    PrintStream discard = new PrintStream(new ByteArrayOutputStream(), true, UTF_8);
    assertThat(Cli.run("test", commands, List.of("b", "x"), discard, discard)).isEqualTo(7);
    assertThat(built).containsExactly("b");
  }

  private static Command built(String name, List<String> built) {
    built.add(name);
    return new Command() {
      @Override
      public String description() {
        return name;
      }

      @Override
      public List<String> parameters() {
        return List.of("X");
      }

      @Override
      public int run(CommandLine line) {
        return 7;
      }
    };
  }

  @Test
  void gcOptionsOverrideTheConfiguration() throws Exception {
    CommandLine line = Cli.parse(new GcCommand(),
        List.of("-c", "gc.yml", "--dry-run", "--grace", "90m", "--upload-max-age=1h30m", "--orphans"));
    assertThat(line.<Path>getParsedOptionValue("config")).isEqualTo(Path.of("gc.yml"));
    assertThat(GcCommand.gcOptions(line, CONFIGURED))
        .isEqualTo(new GcOptions(true, true, Duration.ofMinutes(90), Duration.ofMinutes(90), true));
    assertThat(GcCommand.gcOptions(Cli.parse(new GcCommand(), List.of("-m")), new Settings.Gc(Optional.empty(), false, Duration.ZERO, Duration.ZERO)).deleteUntagged())
        .isTrue();
  }

  @Test
  void gcWithoutOptionsRunsAsConfigured() throws Exception {
    assertThat(GcCommand.gcOptions(Cli.parse(new GcCommand(), List.of()), CONFIGURED))
        .isEqualTo(new GcOptions(false, true, Duration.ofHours(2), Duration.ofHours(3), false));
  }

  @Test
  void serveAndFsckOptions() throws Exception {
    assertThat(Cli.parse(new ServeCommand(), List.of("--config", "a.yml")).<Path>getParsedOptionValue("config"))
        .isEqualTo(Path.of("a.yml"));
    assertThat(Cli.parse(new ServeCommand(), List.of()).hasOption("config")).isFalse();
    assertThat(Cli.parse(new FsckCommand(), List.of("--verify-digests", "-c=f.yml")).hasOption("verify-digests")).isTrue();
    assertThat(Cli.parse(new FsckCommand(), List.of()).hasOption("verify-digests")).isFalse();
  }

  @Test
  void userOptionsAndArguments() throws Exception {
    CommandLine robot = Cli.parse(new UserCommand.Robot(), List.of("team", "--role", "guest", "ci", "--expires-in-days", "30"));
    assertThat(robot.getArgList()).containsExactly("team", "ci");
    assertThat(robot.getOptionValue("role")).isEqualTo("guest");
    assertThat(robot.<Integer>getParsedOptionValue("expires-in-days")).isEqualTo(30);
    CommandLine add = Cli.parse(new UserCommand.Add(), List.of("--admin", "alice", "--password-stdin"));
    assertThat(add.getArgList()).containsExactly("alice");
    assertThat(add.hasOption("admin")).isTrue();
    assertThat(add.hasOption("password-stdin")).isTrue();
    assertThat(Cli.parse(new UserCommand.Public(), List.of("team", "--off")).hasOption("off")).isTrue();
  }
}
