package dev.berth.auth;

import dev.berth.oci.RepositoryName;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of a token request's {@code scope}: {@code repository:<name>:<action>[,<action>...]}.
 * Unknown types and actions are ignored, as Docker's token specification allows.
 */
public record Scope(RepositoryName repository, Set<Action> actions) {

  public Scope {
    actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
  }

  public static Optional<Scope> parse(String text) {
    int first = text.indexOf(':');
    int last = text.lastIndexOf(':');
    if (first < 0 || last == first || !text.substring(0, first).equals("repository")) {
      return Optional.empty();
    }
    RepositoryName repository;
    try {
      repository = RepositoryName.of(text.substring(first + 1, last));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    for (String action : text.substring(last + 1).split(",")) {
      if (action.equals("*")) {
        actions.addAll(EnumSet.allOf(Action.class));
      }
      Action.fromScope(action).ifPresent(actions::add);
    }
    return Optional.of(new Scope(repository, actions));
  }

  /** The scope a client must ask for to do {@code actions} (the form docker sends back). */
  public String text() {
    return "repository:" + repository + ":" + String.join(",",
        actions.stream().sorted().map(Action::scopeName).toList());
  }
}
