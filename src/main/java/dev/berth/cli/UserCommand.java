package dev.berth.cli;

import dev.berth.auth.Users;
import dev.berth.config.ConfigException;
import dev.berth.metadata.AccessStore;
import dev.berth.server.BerthServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth user ...}: users, their namespace roles, and robot accounts, straight in the database. */
@Command(name = "user", mixinStandardHelpOptions = true,
    description = "Manage users, namespace roles and robot accounts (works beside a running server).",
    subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Remove.class, UserCommand.ListUsers.class,
        UserCommand.Grant.class, UserCommand.Revoke.class, UserCommand.Public.class, UserCommand.Robot.class,
        UserCommand.RobotRevoke.class})
final class UserCommand {

  /** Runs a body against the access store, mapping bad input and bad configuration to exit codes. */
  abstract static class StoreCommand implements Callable<Integer> {
    @Mixin
    StoresOption stores;

    abstract int run(AccessStore store, Users users) throws Exception;

    @Override
    public Integer call() throws Exception {
      try (BerthServer.Stores opened = BerthServer.Stores.open(stores.settings())) {
        return run(opened.metadata(), new Users(opened.metadata(), Clock.systemUTC()));
      } catch (ConfigException e) {
        System.err.println("berth user: " + e.getMessage());
        return Main.EXIT_CONFIG;
      } catch (IllegalArgumentException e) {
        System.err.println("berth user: " + e.getMessage());
        return 2;
      }
    }
  }

  /** The password from stdin (one line) or, when absent, generated and printed. */
  static final class PasswordSource {
    @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
    boolean stdin;

    String password() throws IOException {
      if (!stdin) {
        String generated = Users.generatePassword();
        System.out.println("password: " + generated);
        return generated;
      }
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        throw new IllegalArgumentException("no password on standard input");
      }
      return line;
    }
  }

  @Command(name = "add", description = "Add a user (password generated and printed unless --password-stdin).")
  static final class Add extends StoreCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--admin", description = "a system administrator: every namespace, the console and admin API")
    boolean admin;

    @ArgGroup(exclusive = false)
    PasswordSource password = new PasswordSource();

    @Override
    int run(AccessStore store, Users users) throws Exception {
      if (!users.add(name, password.password(), admin)) {
        System.err.println("berth user: " + name + " already exists");
        return 1;
      }
      System.out.println("added " + name + (admin ? " (system administrator)" : ""));
      return 0;
    }
  }

  @Command(name = "passwd", description = "Set a user's password.")
  static final class Passwd extends StoreCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = false)
    PasswordSource password = new PasswordSource();

    @Override
    int run(AccessStore store, Users users) throws Exception {
      if (!users.changePassword(name, password.password())) {
        System.err.println("berth user: no user " + name);
        return 1;
      }
      System.out.println("password of " + name + " changed");
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove a user and its roles.")
  static final class Remove extends StoreCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run(AccessStore store, Users users) {
      if (!store.removeUser(name)) {
        System.err.println("berth user: no user " + name);
        return 1;
      }
      System.out.println("removed " + name);
      return 0;
    }
  }

  @Command(name = "list", description = "List users and their roles.")
  static final class ListUsers extends StoreCommand {
    @Override
    int run(AccessStore store, Users users) {
      for (AccessStore.UserRecord user : store.listUsers()) {
        System.out.println(user.name() + (user.systemAdmin() ? " admin" : "") + " " + store.rolesOf(user.name()));
      }
      for (AccessStore.RobotRecord robot : store.listRobots()) {
        System.out.println(robot.name() + " robot " + robot.namespace() + ":" + robot.role()
            + (robot.revokedAt().isPresent() ? " revoked" : ""));
      }
      return 0;
    }
  }

  @Command(name = "grant", description = "Give a user a role in a namespace: admin, maintainer, developer or guest.")
  static final class Grant extends StoreCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "NAMESPACE")
    String namespace;

    @Parameters(index = "2", paramLabel = "ROLE")
    String role;

    @Override
    int run(AccessStore store, Users users) {
      users.grant(name, namespace, role);
      System.out.println(name + " is " + role + " of " + namespace);
      return 0;
    }
  }

  @Command(name = "revoke", description = "Take a user's role in a namespace away.")
  static final class Revoke extends StoreCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "NAMESPACE")
    String namespace;

    @Override
    int run(AccessStore store, Users users) {
      return store.removeRole(namespace, name) ? 0 : 1;
    }
  }

  @Command(name = "public", description = "Allow (or with --off, stop) anonymous pulls from a namespace.")
  static final class Public extends StoreCommand {
    @Parameters(paramLabel = "NAMESPACE")
    String namespace;

    @Option(names = "--off")
    boolean off;

    @Override
    int run(AccessStore store, Users users) {
      store.setPublic(namespace, !off);
      System.out.println(namespace + (off ? " needs a login to pull" : " allows anonymous pulls"));
      return 0;
    }
  }

  @Command(name = "robot", description = "Create a robot account for CI in one namespace; prints its secret once.")
  static final class Robot extends StoreCommand {
    @Parameters(index = "0", paramLabel = "NAMESPACE")
    String namespace;

    @Parameters(index = "1", paramLabel = "NAME", description = "the robot's name; it logs in as robot$NAMESPACE+NAME")
    String name;

    @Option(names = "--role", defaultValue = "developer", description = "maintainer, developer (default) or guest")
    String role;

    @Option(names = "--expires-in-days", description = "revoked automatically after this many days")
    Integer days;

    @Override
    int run(AccessStore store, Users users) {
      java.util.Optional<Users.NewRobot> robot = users.createRobot(namespace, name, role,
          System.getProperty("user.name", "cli"), java.util.Optional.ofNullable(days).map(java.time.Duration::ofDays));
      if (robot.isEmpty()) {
        System.err.println("berth user: robot robot$" + namespace + "+" + name + " exists");
        return 1;
      }
      System.out.println("robot " + robot.get().login() + " (" + robot.get().role() + " of " + namespace + ")");
      System.out.println("secret: " + robot.get().secret());
      return 0;
    }
  }

  @Command(name = "robot-revoke", description = "Revoke a robot account; its secret stops working at once.")
  static final class RobotRevoke extends StoreCommand {
    @Parameters(paramLabel = "LOGIN", description = "robot$NAMESPACE+NAME")
    String login;

    @Override
    int run(AccessStore store, Users users) {
      return store.revokeRobot(login, Instant.now()) ? 0 : 1;
    }
  }
}
