package dev.berth.cli;

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.ParseException;

/**
 * Commands picked by name, the first argument: berth's own (serve, gc, ...) and those of
 * {@code berth user}. Each is created only when named, or when help lists them all.
 */
final class Commands implements Command {
  private final String description;
  private final SequencedMap<String, Supplier<Command>> byName = new LinkedHashMap<>();

  Commands(String description) {
    this.description = description;
  }

  Commands add(String name, Supplier<Command> command) {
    byName.put(name, command);
    return this;
  }

  Command named(String name) throws ParseException {
    Supplier<Command> command = byName.get(name);
    if (command == null) {
      throw new ParseException("unknown command '" + name + "'");
    }
    return command.get();
  }

  SequencedMap<String, Supplier<Command>> all() {
    return byName;
  }

  @Override
  public String description() {
    return description;
  }

  /** Reached only when no command was named ({@link Cli} runs a named one instead). */
  @Override
  public int run(CommandLine line) throws ParseException {
    throw new ParseException("a command is required: " + String.join(", ", byName.sequencedKeySet()));
  }
}
