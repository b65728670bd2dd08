package dev.berth.cleanup;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.HistoryStore;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.PolicyStore;
import dev.berth.metadata.PolicyStore.StoredPolicy;
import dev.berth.metadata.UsageStore;
import dev.berth.oci.InvalidNameException;
import dev.berth.oci.RepositoryName;
import dev.berth.policy.ByteSize;
import dev.berth.policy.CronSchedule;
import dev.berth.policy.NamespacePolicy;
import dev.berth.policy.PolicyDocument;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Namespaces' policies as the admin API and {@code berth policy} set, show and remove them: a
 * document is read whole before it is stored, so an invalid one changes nothing and every reader
 * of the store finds a document that parses. The document is kept as written (a YAML file's
 * comments survive a {@code show}).
 */
public final class Policies {
  private final PolicyStore store;
  private final UsageStore usage;
  private final HistoryStore history;
  private final Clock clock;

  public Policies(MetadataStore metadata, Clock clock) {
    this.store = metadata.policies();
    this.usage = metadata.usage();
    this.history = metadata.history();
    this.clock = clock;
  }

  /** A namespace's policy with the document it was read from. */
  public record Current(NamespacePolicy policy, StoredPolicy stored) {}

  /**
   * Validates and stores the namespace's policy, replacing the one it had.
   *
   * @throws dev.berth.policy.InvalidPolicyException with every problem of the document
   * @throws dev.berth.oci.InvalidNameException when the namespace is not a valid one
   */
  public NamespacePolicy set(String namespace, String document, String setBy) {
    NamespacePolicy policy = PolicyDocument.read(document);
    Instant now = clock.instant();
    store.put(new StoredPolicy(namespace, document, now, setBy));
    history.audit(AuditEntry.of(now, setBy, AuditAction.POLICY_SET, "policy/" + namespace, Optional.of(namespace),
        describe(policy)));
    return policy;
  }

  private static String describe(NamespacePolicy policy) {
    return "retention rules: " + policy.retention().rules().size()
        + ", schedule: " + policy.retention().schedule().map(CronSchedule::expression).orElse("none")
        + ", immutable rules: " + policy.immutable().size()
        + ", quota: " + policy.quota().map(Object::toString).orElse("none");
  }

  public Optional<Current> find(String namespace) {
    return store.find(namespace).map(stored -> new Current(PolicyDocument.read(stored.document()), stored));
  }

  /** Every namespace's policy, by namespace. */
  public List<Current> all() {
    return store.all().stream().map(stored -> new Current(PolicyDocument.read(stored.document()), stored)).toList();
  }

  /** False when the namespace had no policy. */
  public boolean remove(String namespace, String removedBy) {
    boolean removed = store.remove(namespace);
    if (removed) {
      history.audit(AuditEntry.of(clock.instant(), removedBy, AuditAction.POLICY_REMOVE, "policy/" + namespace,
          Optional.of(namespace), "retention, immutable tags and quota no longer apply"));
    }
    return removed;
  }

  /** A namespace's storage usage now, and its quota when its policy sets one. */
  public record Usage(String namespace, long bytes, Optional<ByteSize> quota) {}

  /**
   * Counted from the namespace's manifests, exactly (not the quota check's count, which may still
   * hold what was deleted since).
   *
   * @throws InvalidNameException when the namespace is not a valid one
   */
  public Usage usage(String namespace) {
    if (!RepositoryName.of(namespace).namespace().equals(namespace)) {
      throw new InvalidNameException("invalid namespace: " + namespace);
    }
    return new Usage(namespace, usage.usage(namespace), find(namespace).flatMap(current -> current.policy().quota()));
  }

  /** The usage of every namespace whose policy sets a quota, by namespace. */
  public List<Usage> withQuota() {
    return all().stream()
        .flatMap(current -> current.policy().quota().stream().map(quota -> new Usage(current.stored().namespace(),
            usage.usage(current.stored().namespace()), Optional.of(quota))))
        .toList();
  }
}
