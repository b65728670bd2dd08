package dev.berth.registry;

import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.policy.ImmutableRule;
import dev.berth.policy.NamespacePolicy;
import java.util.Optional;

/** The immutable tags of namespaces' policies, as pushes and deletes must honour them. */
final class ImmutableTags {
  private ImmutableTags() {}

  /** One repository's view of its namespace's immutable rules. */
  record Rules(String namespace, String path, NamespacePolicy policy) {

    static Rules of(RepositoryName repository, NamespacePolicy policy) {
      return new Rules(repository.namespace(), NamespacePolicy.pathInNamespace(repository), policy);
    }

    /** The rule that makes {@code tag} immutable here, if one does. */
    Optional<Rule> protecting(Tag tag) {
      return policy.immutableRule(path, tag).map(i -> new Rule(namespace, i, policy.immutable().get(i)));
    }
  }

  /** An immutable rule of a namespace's policy, named as its document names it. */
  record Rule(String namespace, int index, ImmutableRule rule) {

    /** The refusal of what the rule forbids: {@code what} says what was asked and why it cannot be. */
    RegistryException refuse(String what) {
      return new RegistryException(ErrorCode.DENIED, what + " (policy of namespace " + namespace + ", immutable["
          + index + "]: repositories " + rule.repositories() + ", tags " + rule.tags() + ")");
    }
  }
}
