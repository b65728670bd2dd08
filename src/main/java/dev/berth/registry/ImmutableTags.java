package dev.berth.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.metadata.PolicyStore;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.policy.ImmutableRule;
import dev.berth.policy.NamespacePolicy;
import dev.berth.policy.PolicyDocument;
import java.util.Optional;

/**
 * The immutable tags of namespaces' policies, as pushes and deletes must honour them. The policy is
 * read per request, one lookup by namespace, so that every replica on a shared database sees a
 * policy as soon as it is set; only the parsing is remembered, keyed by the document's text, which
 * a changed policy can never make stale.
 */
final class ImmutableTags {
  private static final int DOCUMENTS = 1_000;

  private final PolicyStore policies;
  private final Cache<String, NamespacePolicy> parsed = Caffeine.newBuilder().maximumSize(DOCUMENTS).build();

  ImmutableTags(PolicyStore policies) {
    this.policies = policies;
  }

  /** The rules that apply to the repository's tags now. */
  Rules of(RepositoryName repository) {
    String namespace = repository.namespace();
    NamespacePolicy policy = policies.find(namespace)
        .map(stored -> parsed.get(stored.document(), PolicyDocument::read))
        .orElse(NamespacePolicy.NONE);
    return new Rules(namespace, NamespacePolicy.pathInNamespace(repository), policy);
  }

  /** One repository's view of its namespace's immutable rules. */
  record Rules(String namespace, String path, NamespacePolicy policy) {

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
