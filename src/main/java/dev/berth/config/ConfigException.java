package dev.berth.config;

import java.util.List;

/**
 * The configuration cannot be used. It carries every problem found in one reading, each naming the
 * key (or the environment variable that set it) and what is wrong with it.
 */
public final class ConfigException extends Exception {
  private final List<String> problems;

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line each, in the order the keys were checked. */
  public List<String> problems() {
    return problems;
  }
}
