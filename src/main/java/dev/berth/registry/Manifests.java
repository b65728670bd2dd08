package dev.berth.registry;

import dev.berth.metadata.AuditAction;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.ManifestDeletion;
import dev.berth.metadata.ManifestMetadata;
import dev.berth.metadata.ManifestRecord;
import dev.berth.metadata.MetadataStore;
import dev.berth.metadata.MetadataTransaction;
import dev.berth.metadata.MissingReferencesException;
import dev.berth.metadata.StoredManifest;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.oci.InvalidManifestException;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaType;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import dev.berth.policy.NamespacePolicy;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Pushing, pulling and deleting manifests and tags. */
public final class Manifests {

  private final MetadataStore metadata;
  private final CachedReads reads;
  private final RegistrySettings settings;
  private final Deletes deletes;
  private final PullRecorder pulls;
  private final PolicyLookup policies;
  private final Quotas quotas;
  private final Clock clock;

  Manifests(MetadataStore metadata, CachedReads reads, RegistrySettings settings, Deletes deletes, PullRecorder pulls,
      PolicyLookup policies, Clock clock) {
    this.metadata = metadata;
    this.reads = reads;
    this.settings = settings;
    this.deletes = deletes;
    this.pulls = pulls;
    this.policies = policies;
    this.quotas = new Quotas(policies);
    this.clock = clock;
  }

  /** What a successful push tells the client. */
  public record Pushed(Digest digest, Optional<Digest> subject) {}

  /**
   * Stores the bytes as pushed after validating them.
   *
   * @param contentType the request's Content-Type, empty when absent or not a manifest type
   * @param actor who the audit log names as pushing it
   */
  public Pushed put(RepositoryName repository, Reference reference, Optional<MediaType> contentType, byte[] payload,
      String actor) {
    if (payload.length > settings.maxManifestBytes()) {
      throw new RegistryException(ErrorCode.MANIFEST_TOO_LARGE,
          "manifest is larger than " + settings.maxManifestBytes() + " bytes", Map.of("size", payload.length));
    }
    Digest digest = digestOf(reference, payload);
    Manifest manifest;
    try {
      manifest = ManifestParser.parse(payload, contentType);
    } catch (InvalidManifestException e) {
      throw new RegistryException(ErrorCode.MANIFEST_INVALID, "manifest invalid", e.getMessage());
    }
    ManifestRecord record = new ManifestRecord(
        repository,
        digest,
        manifest.mediaType(),
        payload,
        manifest.referencedBlobs().stream().map(Descriptor::digest).distinct().toList(),
        manifest.manifests().stream().map(Descriptor::digest).distinct().toList(),
        manifest.subject().map(Descriptor::digest),
        manifest.effectiveArtifactType(),
        manifest.annotations());
    Optional<Tag> tag = reference instanceof Reference.ByTag byTag ? Optional.of(byTag.tag()) : Optional.empty();
    NamespacePolicy policy = policies.of(repository.namespace());
    Optional<ImmutableTags.Rule> immutable = tag.flatMap(t -> ImmutableTags.Rules.of(repository, policy).protecting(t));
    // Refused inside the transaction, which the refusal abandons: a refused push leaves not even its manifest,
    // nor its audit entry, which commits with it.
    metadata.atomically(tx -> {
      Quotas.Charge charge = policy.quota().isPresent() ? quotas.charge(tx.quota(), record) : Quotas.Charge.FREE;
      if (immutable.isPresent()) {
        store(() -> tx.manifests().putManifestKeepingTag(record, tag.get(), clock.instant())).ifPresent(current -> {
          throw immutable.get().refuse("tag " + tag.get() + " is immutable and points at " + current
              + "; a push cannot move it");
        });
      } else {
        store(() -> {
          tx.manifests().putManifest(record, tag, clock.instant());
          return Optional.empty();
        });
      }
      charge.settle();
      tx.history().audit(AuditEntry.of(clock.instant(), actor, AuditAction.MANIFEST_PUSH,
          repository + tag.map(t -> ":" + t).orElse("") + "@" + digest, Optional.of(repository.namespace()),
          record.mediaType() + ", " + payload.length + " bytes"));
      return null;
    });
    return new Pushed(digest, record.subject());
  }

  /** A put that may name the manifest an immutable tag stays on; its missing references become the client's error. */
  private interface Put {
    Optional<Digest> run() throws MissingReferencesException;
  }

  private static Optional<Digest> store(Put put) {
    try {
      return put.run();
    } catch (MissingReferencesException e) {
      Map<String, Object> detail = new LinkedHashMap<>();
      if (!e.blobs().isEmpty()) {
        detail.put("blobs", e.blobs().stream().map(Digest::toString).toList());
      }
      if (!e.manifests().isEmpty()) {
        detail.put("manifests", e.manifests().stream().map(Digest::toString).toList());
      }
      throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
          "manifest references content unknown to this repository", detail);
    }
  }

  private static Digest digestOf(Reference reference, byte[] payload) {
    if (reference instanceof Reference.ByDigest byDigest) {
      Digest expected = byDigest.digest();
      Digest actual = Digest.compute(expected.algorithm(), payload);
      if (!actual.equals(expected)) {
        throw new RegistryException(ErrorCode.DIGEST_INVALID,
            "manifest digest does not match its content", "expected " + expected + ", got " + actual);
      }
      return actual;
    }
    return Digest.compute(DigestAlgorithm.SHA256, payload);
  }

  public StoredManifest get(RepositoryName repository, Reference reference) {
    Digest digest = switch (reference) {
      case Reference.ByDigest d -> d.digest();
      case Reference.ByTag t -> reads.resolveTag(repository, t.tag()).orElseThrow(() -> unknown(reference));
    };
    return reads.findManifest(repository, digest).orElseThrow(() -> unknown(reference));
  }

  /** A client fetched the manifest's bytes: remembered in memory, written to the database later. */
  public void pulled(RepositoryName repository, Digest digest) {
    pulls.record(repository, digest);
  }

  /** By digest: the manifest and every tag on it. By tag: that tag only. */
  public void delete(RepositoryName repository, Reference reference, String actor) {
    deletes.requireEnabled();
    ImmutableTags.Rules immutable = ImmutableTags.Rules.of(repository, policies.of(repository.namespace()));
    // The delete and its audit entry commit together.
    metadata.atomically(tx -> {
      ManifestMetadata manifests = tx.manifests();
      switch (reference) {
        case Reference.ByTag t -> {
          Digest image = manifests.resolveTag(repository, t.tag()).orElseThrow(() -> unknown(reference));
          immutable.protecting(t.tag()).ifPresent(rule -> {
            throw rule.refuse("tag " + t.tag() + " is immutable; it cannot be deleted");
          });
          if (!manifests.deleteTag(repository, t.tag())) {
            throw unknown(reference);
          }
          List<Tag> left = manifests.tagsOf(repository, image);
          deletes.audit(tx.history(), actor, AuditAction.TAG_DELETE, repository, repository + ":" + t.tag(),
              left.isEmpty()
              ? "tag removed; the image " + image + " is now untagged (a GC with --delete-untagged deletes it)"
              : "tag removed; the image " + image + " stays, tagged "
                  + String.join(", ", left.stream().map(Tag::value).toList()));
        }
        case Reference.ByDigest d -> {
          if (deleteManifest(tx, repository, d.digest(), immutable, actor) instanceof ManifestDeletion.StillReferenced r) {
            throw listed(r);
          }
        }
      }
      return null;
    });
  }

  /**
   * Deletes several manifests of one repository by digest, each as {@link #delete} does (its tags
   * go, immutable ones refuse, each is audited), all in one transaction: a refusal leaves every one
   * of them in place. An index may be listed after its children: a manifest only indexes among
   * {@code digests} list waits for them.
   */
  public void deleteAll(RepositoryName repository, List<Digest> digests, String actor) {
    deletes.requireEnabled();
    ImmutableTags.Rules immutable = ImmutableTags.Rules.of(repository, policies.of(repository.namespace()));
    metadata.atomically(tx -> {
      ArrayDeque<Digest> pending = new ArrayDeque<>(new LinkedHashSet<>(digests));
      // How many waited in a row: once every pending one waited since the last delete, none can go.
      int waited = 0;
      while (!pending.isEmpty()) {
        Digest digest = pending.poll();
        if (deleteManifest(tx, repository, digest, immutable, actor) instanceof ManifestDeletion.StillReferenced r) {
          if (!pending.containsAll(r.parents()) || waited > pending.size()) {
            throw listed(r);
          }
          pending.add(digest);
          waited++;
        } else {
          waited = 0;
        }
      }
      return null;
    });
  }

  /** Deletes one manifest and its tags unless an index lists it (answered, nothing changed) or it is unknown. */
  private ManifestDeletion deleteManifest(MetadataTransaction tx, RepositoryName repository, Digest digest,
      ImmutableTags.Rules immutable, String actor) {
    ManifestDeletion deletion = tx.manifests().deleteManifest(repository, digest);
    switch (deletion) {
      case ManifestDeletion.NotFound n -> throw unknown(new Reference.ByDigest(digest));
      case ManifestDeletion.StillReferenced r -> {
      }
      case ManifestDeletion.Deleted deleted -> {
        // Checked on the tags the delete removed, read under its lock on the manifest: a tag pushed
        // onto the image meanwhile is among them. A refusal abandons the delete.
        for (Tag tag : deleted.removedTags()) {
          immutable.protecting(tag).ifPresent(rule -> {
            throw rule.refuse("the image carries the immutable tag " + tag + "; it cannot be deleted");
          });
        }
        deletes.audit(tx.history(), actor, AuditAction.MANIFEST_DELETE, repository,
            repository + "@" + digest, "tags removed: " + deleted.removedTags());
      }
    }
    return deletion;
  }

  private static RegistryException listed(ManifestDeletion.StillReferenced r) {
    return new RegistryException(ErrorCode.MANIFEST_REFERENCED,
        "manifest is listed by an index in this repository; delete the index first",
        Map.of("indexes", r.parents().stream().map(Digest::toString).toList()));
  }

  public List<Tag> tagsOf(RepositoryName repository, Digest digest) {
    return metadata.manifests().tagsOf(repository, digest);
  }

  static RegistryException unknown(Reference reference) {
    return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", reference.toString());
  }
}
