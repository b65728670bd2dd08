package dev.berth.cli;

import dev.berth.cleanup.Policies;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.policy.InvalidPolicyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code berth policy ...}: a namespace's retention rules, immutable tags and quota (the document
 * docs/retention.md describes), straight in the database, as the admin API sets them.
 */
final class PolicyCommand {
  private PolicyCommand() {}

  static Commands commands() {
    return new Commands("Set, show or remove a namespace's policy (works beside a running server).")
        .add("set", SetPolicy::new)
        .add("show", Show::new)
        .add("remove", Remove::new);
  }

  /** Runs a body against the deployment's policies. */
  abstract static class PoliciesCommand implements Command {
    @Override
    public Options options() {
      return new Options().addOption(StoresOption.config());
    }

    abstract void run(CommandLine line, Policies policies) throws Exception;

    @Override
    public int run(CommandLine line) throws Exception {
      return StoresOption.onStores(line, opened -> run(line,
          new Policies(opened.metadata(), Clock.systemUTC())));
    }
  }

  private static CommandFailure noPolicy(String namespace) {
    return new CommandFailure(ExitStatus.NOT_FOUND, namespace + " has no policy");
  }

  static final class SetPolicy extends PoliciesCommand {
    @Override
    public String description() {
      return """
          Set a namespace's policy from a YAML (or JSON) file, replacing the one it had.
          An invalid file changes nothing; every problem in it is listed.""";
    }

    @Override
    public List<String> parameters() {
      return List.of("NAMESPACE", "FILE");
    }

    @Override
    void run(CommandLine line, Policies policies) throws Exception {
      String namespace = line.getArgs()[0];
      Path file = Path.of(line.getArgs()[1]);
      String document;
      try {
        document = Files.readString(file);
      } catch (NoSuchFileException e) {
        throw new CommandFailure(ExitStatus.NOT_FOUND, "no file " + file);
      }
      try {
        policies.set(namespace, document, System.getProperty("user.name", "cli"));
      } catch (InvalidPolicyException e) {
        throw new CommandFailure(ExitStatus.USAGE, file + " is not a valid policy; nothing changed", e.problems());
      }
      System.out.println("policy of " + namespace + " set from " + file);
    }
  }

  static final class Show extends PoliciesCommand {
    @Override
    public String description() {
      return "Print a namespace's policy as it was set, after a comment line saying when and by whom.";
    }

    @Override
    public List<String> parameters() {
      return List.of("NAMESPACE");
    }

    @Override
    void run(CommandLine line, Policies policies) throws CommandFailure {
      String namespace = line.getArgs()[0];
      StoredPolicy stored = policies.find(namespace).orElseThrow(() -> noPolicy(namespace)).stored();
      // A comment, so that the output is still a document 'berth policy set' takes.
      System.out.println("# policy of " + namespace + ", set by " + stored.updatedBy() + " at "
          + stored.updatedAt().truncatedTo(ChronoUnit.SECONDS));
      System.out.print(stored.document().endsWith("\n") ? stored.document() : stored.document() + "\n");
    }
  }

  static final class Remove extends PoliciesCommand {
    @Override
    public String description() {
      return "Remove a namespace's policy: no retention, no immutable tags, no quota.";
    }

    @Override
    public List<String> parameters() {
      return List.of("NAMESPACE");
    }

    @Override
    void run(CommandLine line, Policies policies) throws CommandFailure {
      String namespace = line.getArgs()[0];
      if (!policies.remove(namespace, System.getProperty("user.name", "cli"))) {
        throw noPolicy(namespace);
      }
      System.out.println("removed the policy of " + namespace);
    }
  }
}
