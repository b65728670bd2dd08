package dev.berth.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.metadata.PolicyStore;
import dev.berth.policy.NamespacePolicy;
import dev.berth.policy.PolicyDocument;

/**
 * Namespaces' policies as pushes and deletes must honour them. The policy is read per request, one
 * lookup by namespace, so that every replica on a shared database sees a policy as soon as it is
 * set; only the parsing is remembered, keyed by the document's text, which a changed policy can
 * never make stale.
 */
final class PolicyLookup {
  private static final int DOCUMENTS = 1_000;

  private final PolicyStore policies;
  private final Cache<String, NamespacePolicy> parsed = Caffeine.newBuilder().maximumSize(DOCUMENTS).build();

  PolicyLookup(PolicyStore policies) {
    this.policies = policies;
  }

  /** The namespace's policy now; {@link NamespacePolicy#NONE} when it has none. */
  NamespacePolicy of(String namespace) {
    return policies.find(namespace).map(stored -> parse(stored.document())).orElse(NamespacePolicy.NONE);
  }

  /** A stored document, which was valid when stored. */
  NamespacePolicy parse(String document) {
    return parsed.get(document, PolicyDocument::read);
  }
}
