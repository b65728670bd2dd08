package dev.berth.cli;

import dev.berth.auth.Users;
import dev.berth.metadata.AccessStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code berth user ...}: users, their namespace roles, and robot accounts, straight in the database. */
final class UserCommand {
  private UserCommand() {}

  static Commands commands() {
    return new Commands("Manage users, namespace roles and robot accounts (works beside a running server).")
        .add("add", Add::new)
        .add("passwd", Passwd::new)
        .add("remove", Remove::new)
        .add("list", ListUsers::new)
        .add("grant", Grant::new)
        .add("revoke", Revoke::new)
        .add("public", Public::new)
        .add("robot", Robot::new)
        .add("robot-revoke", RobotRevoke::new);
  }

  /** Runs a body against the access store, mapping bad input and bad configuration to exit codes. */
  abstract static class StoreCommand implements Command {
    @Override
    public Options options() {
      return new Options().addOption(StoresOption.config());
    }

    /** Does the work; a failure is thrown, with the status of its kind. */
    abstract void run(CommandLine line, AccessStore store, Users users) throws Exception;

    @Override
    public int run(CommandLine line) throws Exception {
      return StoresOption.onStores(line, opened ->
          run(line, opened.metadata().access(), new Users(opened.metadata().access(), Clock.systemUTC())));
    }
  }

  private static Option passwordStdin() {
    return new Option(null, "password-stdin", false, "read the password from the first line of standard input");
  }

  /** A password from stdin, or generated: shown only once the operation it is for has happened. */
  private record Password(String value, boolean generated) {
    static Password of(CommandLine line) throws IOException {
      if (!line.hasOption("password-stdin")) {
        return new Password(Users.generatePassword(), true);
      }
      String read = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (read == null || read.isEmpty()) {
        throw new IllegalArgumentException("no password on standard input");
      }
      return new Password(read, false);
    }

    void showIfGenerated() {
      if (generated) {
        System.out.println("password: " + value);
      }
    }
  }

  private static CommandFailure noUser(String name) {
    return new CommandFailure(ExitStatus.NOT_FOUND, "no user " + name);
  }

  static final class Add extends StoreCommand {
    @Override
    public String description() {
      return "Add a user (password generated and printed unless --password-stdin).";
    }

    @Override
    public Options options() {
      return super.options()
          .addOption(null, "admin", false, "a system administrator: every namespace, the console and admin API")
          .addOption(passwordStdin());
    }

    @Override
    public List<String> parameters() {
      return List.of("NAME");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws Exception {
      String name = line.getArgs()[0];
      boolean admin = line.hasOption("admin");
      Password password = Password.of(line);
      if (!users.add(name, password.value(), admin)) {
        throw new CommandFailure(ExitStatus.EXISTS, "user " + name + " already exists; nothing changed");
      }
      System.out.println("added " + name + (admin ? " (system administrator)" : ""));
      password.showIfGenerated();
    }
  }

  static final class Passwd extends StoreCommand {
    @Override
    public String description() {
      return "Set a user's password.";
    }

    @Override
    public Options options() {
      return super.options().addOption(passwordStdin());
    }

    @Override
    public List<String> parameters() {
      return List.of("NAME");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws Exception {
      String name = line.getArgs()[0];
      Password password = Password.of(line);
      if (!users.changePassword(name, password.value())) {
        throw noUser(name);
      }
      System.out.println("password of " + name + " changed");
      password.showIfGenerated();
    }
  }

  static final class Remove extends StoreCommand {
    @Override
    public String description() {
      return "Remove a user and its roles.";
    }

    @Override
    public List<String> parameters() {
      return List.of("NAME");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws CommandFailure {
      String name = line.getArgs()[0];
      if (!store.removeUser(name)) {
        throw noUser(name);
      }
      System.out.println("removed " + name);
    }
  }

  static final class ListUsers extends StoreCommand {
    @Override
    public String description() {
      return "List users and their roles.";
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) {
      for (AccessStore.UserRecord user : store.listUsers()) {
        System.out.println(user.name() + (user.systemAdmin() ? " admin" : "") + " " + store.rolesOf(user.name()));
      }
      Instant now = Instant.now();
      for (AccessStore.RobotRecord robot : store.listRobots()) {
        System.out.println(robot.name() + " robot " + robot.namespace() + ":" + robot.role() + " " + state(robot, now));
      }
    }

    private static String state(AccessStore.RobotRecord robot, Instant now) {
      if (robot.revokedAt().isPresent()) {
        return "revoked " + robot.revokedAt().get().truncatedTo(ChronoUnit.SECONDS);
      }
      return robot.expiresAt()
          .map(at -> (at.isAfter(now) ? "expires " : "expired ") + at.truncatedTo(ChronoUnit.SECONDS))
          .orElse("never expires");
    }
  }

  static final class Grant extends StoreCommand {
    @Override
    public String description() {
      return "Give a user a role in a namespace: admin, maintainer, developer or guest.";
    }

    @Override
    public List<String> parameters() {
      return List.of("NAME", "NAMESPACE", "ROLE");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws CommandFailure {
      String[] args = line.getArgs();
      if (store.findUser(args[0]).isEmpty()) {
        throw noUser(args[0]);
      }
      users.grant(args[0], args[1], args[2]);
      System.out.println(args[0] + " is " + args[2] + " of " + args[1]);
    }
  }

  static final class Revoke extends StoreCommand {
    @Override
    public String description() {
      return "Take a user's role in a namespace away.";
    }

    @Override
    public List<String> parameters() {
      return List.of("NAME", "NAMESPACE");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws CommandFailure {
      String[] args = line.getArgs();
      if (!store.removeRole(args[1], args[0])) {
        throw new CommandFailure(ExitStatus.NOT_FOUND, args[0] + " has no role in " + args[1]);
      }
      System.out.println(args[0] + " no longer has a role in " + args[1]);
    }
  }

  static final class Public extends StoreCommand {
    @Override
    public String description() {
      return "Allow (or with --off, stop) anonymous pulls from a namespace.";
    }

    @Override
    public Options options() {
      return super.options().addOption(null, "off", false, "stop anonymous pulls instead");
    }

    @Override
    public List<String> parameters() {
      return List.of("NAMESPACE");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) {
      String namespace = line.getArgs()[0];
      boolean off = line.hasOption("off");
      store.setPublic(namespace, !off);
      System.out.println(namespace + (off ? " needs a login to pull" : " allows anonymous pulls"));
    }
  }

  static final class Robot extends StoreCommand {
    @Override
    public String description() {
      return """
          Create a robot account for CI in one namespace; prints its secret once.
          It logs in as robot$NAMESPACE+NAME.""";
    }

    @Override
    public Options options() {
      return super.options()
          .addOption(Option.builder().longOpt("role").hasArg().argName("ROLE")
              .desc("maintainer, developer (default) or guest").get())
          .addOption(Option.builder().longOpt("expires-in-days").hasArg().argName("DAYS").type(Integer.class)
              .desc("revoked automatically after this many days").get());
    }

    @Override
    public List<String> parameters() {
      return List.of("NAMESPACE", "NAME");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws Exception {
      String namespace = line.getArgs()[0];
      String name = line.getArgs()[1];
      Optional<Integer> days = Optional.ofNullable(line.getParsedOptionValue("expires-in-days"));
      Optional<Users.NewRobot> robot = users.createRobot(namespace, name, line.getOptionValue("role", "developer"),
          System.getProperty("user.name", "cli"), days.map(Duration::ofDays));
      if (robot.isEmpty()) {
        throw new CommandFailure(ExitStatus.EXISTS, "robot robot$" + namespace + "+" + name + " already exists");
      }
      System.out.println("robot " + robot.get().login() + " (" + robot.get().role() + " of " + namespace + ")");
      System.out.println("secret: " + robot.get().secret());
    }
  }

  static final class RobotRevoke extends StoreCommand {
    @Override
    public String description() {
      return """
          Revoke a robot account; its secret stops working at once.
          LOGIN is robot$NAMESPACE+NAME.""";
    }

    @Override
    public List<String> parameters() {
      return List.of("LOGIN");
    }

    @Override
    void run(CommandLine line, AccessStore store, Users users) throws CommandFailure {
      String login = line.getArgs()[0];
      if (store.revokeRobot(login, Instant.now())) {
        System.out.println("revoked " + login + "; its secret no longer works");
        return;
      }
      AccessStore.RobotRecord robot = store.listRobots().stream().filter(r -> r.name().equals(login)).findFirst()
          .orElseThrow(() -> new CommandFailure(ExitStatus.NOT_FOUND,
              "no robot " + login + " (a robot's login looks like robot$NAMESPACE+NAME)"));
      System.out.println(login + " was revoked already, at " + robot.revokedAt().orElseThrow().truncatedTo(ChronoUnit.SECONDS)
          + "; nothing changed");
    }
  }
}
