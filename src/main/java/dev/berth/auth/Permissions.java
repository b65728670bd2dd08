package dev.berth.auth;

import dev.berth.metadata.AccessStore;
import dev.berth.oci.RepositoryName;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a principal's roles allow, and who may administer what. The registry API asks through
 * {@link AccessControl} (which opens everything when there is no {@code auth} section); the admin
 * API and the console ask here directly, so they judge by roles even then: opening the registry
 * does not open its administration.
 */
public final class Permissions {
  private final AccessStore store;

  public Permissions(AccessStore store) {
    this.store = store;
  }

  /** A system administrator may do everything; others what their role in the namespace allows, plus pulls of public namespaces. */
  public Set<Action> on(Principal principal, RepositoryName repository) {
    if (principal.systemAdmin()) {
      return EnumSet.allOf(Action.class);
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    Role role = roleIn(principal, repository.namespace());
    if (role != null) {
      actions.addAll(role.actions());
    }
    // Only a caller without a pulling role needs the database's word on the namespace.
    if (!actions.contains(Action.PULL) && store.isPublic(repository.namespace())) {
      actions.add(Action.PULL);
    }
    return actions;
  }

  /** Who cannot pull a repository is told it does not exist, as for one that does not. */
  public boolean maySee(Principal principal, RepositoryName repository) {
    return on(principal, repository).contains(Action.PULL);
  }

  /**
   * {@link #maySee} for filtering a long list: the answer is the same for every repository of a
   * namespace, so the store is asked once per namespace rather than once per repository.
   */
  public Predicate<RepositoryName> seeing(Principal principal) {
    Map<String, Boolean> byNamespace = new HashMap<>();
    return repository -> byNamespace.computeIfAbsent(repository.namespace(), ns -> maySee(principal, repository));
  }

  public boolean mayDelete(Principal principal, RepositoryName repository) {
    return on(principal, repository).contains(Action.DELETE);
  }

  /** Garbage collection, every user, the global audit log and the deployment's totals. */
  public boolean administersRegistry(Principal principal) {
    return principal.systemAdmin();
  }

  /** Members, robots and public access of a namespace: its admins and system administrators. */
  public boolean mayManage(Principal principal, String namespace) {
    return principal.systemAdmin() || roleIn(principal, namespace) == Role.ADMIN;
  }

  /**
   * Whether refusing to manage the namespace may say so (403), or must answer as for a namespace
   * that does not exist (404): only a member, or anyone for a public namespace, knows it is there.
   */
  public boolean knowsNamespace(Principal principal, String namespace) {
    return principal.systemAdmin() || roleIn(principal, namespace) != null || store.isPublic(namespace);
  }

  private static Role roleIn(Principal principal, String namespace) {
    return principal.roles().getOrDefault(namespace, principal.roles().get(AccessControl.EVERY_NAMESPACE));
  }
}
