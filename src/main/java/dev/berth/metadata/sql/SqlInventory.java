package dev.berth.metadata.sql;

import dev.berth.metadata.InventoryStore;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** What fills the disk: per-repository usage, manifests with their sizes, totals and samples. */
final class SqlInventory implements InventoryStore {

  private final SqlTransactions tx;

  SqlInventory(SqlTransactions tx) {
    this.tx = tx;
  }

  @Override
  public List<RepositoryUsage> repositoryUsage() {
    return tx.read(h -> h.createQuery("""
            SELECT r.name,
                   COALESCE((SELECT SUM(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest
                              WHERE rb.repository = r.name AND b.state = 'live'), 0) AS bytes,
                   (SELECT COUNT(*) FROM tags t WHERE t.repository = r.name) AS tags,
                   (SELECT COUNT(*) FROM manifests m WHERE m.repository = r.name) AS manifests,
                   (SELECT MAX(m.created_at) FROM manifests m WHERE m.repository = r.name) AS last_manifest,
                   (SELECT MAX(t.updated_at) FROM tags t WHERE t.repository = r.name) AS last_tag
              FROM repositories r ORDER BY r.name""")
        .map((rs, ctx) -> {
          long lastManifest = rs.getLong("last_manifest");
          boolean noManifest = rs.wasNull();
          long lastTag = rs.getLong("last_tag");
          Optional<Instant> lastPush = noManifest ? Optional.empty()
              : Optional.of(Instant.ofEpochMilli(Math.max(lastManifest, lastTag)));
          return new RepositoryUsage(new RepositoryName(rs.getString("name")), rs.getLong("bytes"),
              rs.getLong("tags"), rs.getLong("manifests"), lastPush);
        })
        .list());
  }

  @Override
  public List<ManifestSummary> manifestsOf(RepositoryName repository) {
    return tx.read(h -> h.createQuery("""
            SELECT m.digest, m.media_type, m.artifact_type, m.subject, m.size, m.created_at, m.last_pulled_at,
                   m.annotations,
                   COALESCE((SELECT SUM(b.size) FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
                              WHERE mb.repository = m.repository AND mb.manifest_digest = m.digest), 0) AS blob_bytes
              FROM manifests m WHERE m.repository = :repository
             ORDER BY m.created_at DESC, m.digest""")
        .bind("repository", repository.value())
        .map((rs, ctx) -> new ManifestSummary(
            Digest.parse(rs.getString("digest")),
            new dev.berth.oci.MediaType(rs.getString("media_type")),
            Optional.ofNullable(rs.getString("artifact_type")),
            Optional.ofNullable(rs.getString("subject")).map(Digest::parse),
            rs.getLong("size"),
            rs.getLong("blob_bytes"),
            Instant.ofEpochMilli(rs.getLong("created_at")),
            Optional.ofNullable((Number) rs.getObject("last_pulled_at")).map(n -> Instant.ofEpochMilli(n.longValue())),
            Rows.annotations(rs.getString("annotations"))))
        .list());
  }

  @Override
  public java.util.Map<Digest, List<Tag>> tagsByManifest(RepositoryName repository) {
    return tx.read(h -> h.createQuery(
            "SELECT manifest_digest, name FROM tags WHERE repository = :repository ORDER BY name")
        .bind("repository", repository.value())
        .map((rs, ctx) -> java.util.Map.entry(Digest.parse(rs.getString(1)), new Tag(rs.getString(2))))
        .list()
        .stream()
        .collect(Collectors.groupingBy(java.util.Map.Entry::getKey, java.util.LinkedHashMap::new,
            Collectors.mapping(java.util.Map.Entry::getValue, Collectors.toList()))));
  }

  @Override
  public StorageTotals totals() {
    return tx.read(h -> h.createQuery("""
            SELECT (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE state = 'live') AS live_bytes,
                   (SELECT COUNT(*) FROM blobs WHERE state = 'live') AS blobs,
                   (SELECT COUNT(*) FROM repositories) AS repositories,
                   (SELECT COUNT(*) FROM manifests) AS manifests""")
        .map((rs, ctx) -> new StorageTotals(rs.getLong("live_bytes"), rs.getLong("blobs"), rs.getLong("repositories"),
            rs.getLong("manifests")))
        .one());
  }

  @Override
  public void recordStorageSample(StorageSample sample) {
    // Two samples in the same millisecond say the same thing; the second is dropped.
    tx.use(h -> h.createUpdate(
            "INSERT INTO storage_samples (at, bytes) VALUES (:at, :bytes) ON CONFLICT (at) DO NOTHING")
        .bind("at", sample.at().toEpochMilli())
        .bind("bytes", sample.bytes())
        .execute());
  }

  @Override
  public List<StorageSample> storageSamples(Instant since) {
    return tx.read(h -> h.createQuery("SELECT at, bytes FROM storage_samples WHERE at >= :since ORDER BY at")
        .bind("since", since.toEpochMilli())
        .map((rs, ctx) -> new StorageSample(Instant.ofEpochMilli(rs.getLong("at")), rs.getLong("bytes")))
        .list());
  }
}
