package dev.berth.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every problem found while reading one configuration, so that an operator fixes them in one go
 * rather than one start at a time. A key set by an environment variable is named by the variable,
 * which is what the operator has to change.
 */
final class Problems {
  @FunctionalInterface
  interface Check<T> {
    T get() throws ConfigException;
  }

  private final Map<String, String> variables = new HashMap<>();
  private final List<String> found = new ArrayList<>();

  void setByVariable(String key, String variable) {
    variables.put(key, variable);
  }

  /** {@code REGISTRY_HTTP_ADDR} when the environment set the key, {@code 'http.addr'} otherwise. */
  String subject(String key) {
    String variable = variables.get(key);
    return variable != null ? variable : "'" + key + "'";
  }

  ConfigException invalid(String key, String what) {
    return new ConfigException("invalid value for " + subject(key) + ": " + what);
  }

  void add(ConfigException problem) {
    found.addAll(problem.problems());
  }

  /** The check's value, or {@code fallback} with its problems noted, so later checks still run. */
  <T> T check(Check<T> check, T fallback) {
    try {
      return check.get();
    } catch (ConfigException e) {
      add(e);
      return fallback;
    }
  }

  void throwIfAny() throws ConfigException {
    if (!found.isEmpty()) {
      throw new ConfigException(found);
    }
  }
}
