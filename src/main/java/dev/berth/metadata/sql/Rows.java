package dev.berth.metadata.sql;

import dev.berth.metadata.MetadataException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.metadata.BlobRecord;
import dev.berth.metadata.BlobState;
import dev.berth.metadata.GcRunItem;
import dev.berth.metadata.Referrer;
import dev.berth.metadata.StoredManifest;
import dev.berth.metadata.UploadRecord;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.RepositoryName;
import dev.berth.storage.UploadId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.statement.StatementContext;

/** Row mappers, column encodings and bind values shared by the queries of the metadata stores. */
final class Rows {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() {};

  private Rows() {}

  static BlobRecord blob(ResultSet rs, StatementContext ctx) throws SQLException {
    return new BlobRecord(
        Digest.parse(rs.getString("digest")),
        rs.getLong("size"),
        BlobState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        instant(rs, "created_at"),
        instant(rs, "touched_at"));
  }

  static StoredManifest storedManifest(ResultSet rs, StatementContext ctx) throws SQLException {
    return new StoredManifest(
        Digest.parse(rs.getString("digest")),
        new MediaType(rs.getString("media_type")),
        rs.getBytes("payload"),
        instant(rs, "created_at"));
  }

  static Referrer referrer(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Referrer(
        Digest.parse(rs.getString("digest")),
        new MediaType(rs.getString("media_type")),
        rs.getLong("size"),
        Optional.ofNullable(rs.getString("artifact_type")),
        annotations(rs.getString("annotations")));
  }

  static UploadRecord upload(ResultSet rs, StatementContext ctx) throws SQLException {
    return new UploadRecord(
        new UploadId(rs.getString("id")),
        new RepositoryName(rs.getString("repository")),
        instant(rs, "started_at"),
        instant(rs, "updated_at"));
  }

  /** Sorted by key, so equal annotations are stored as equal text. */
  static String annotationsJson(Map<String, String> annotations) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(annotations));
    } catch (JsonProcessingException e) {
      throw new MetadataException("cannot encode annotations", e);
    }
  }

  /** A list bound as one parameter: see {@link Dialect#templateValues()}. */
  static String jsonArray(Collection<?> elements) {
    try {
      return JSON.writeValueAsString(elements);
    } catch (JsonProcessingException e) {
      throw new MetadataException("cannot encode a list parameter", e);
    }
  }

  /** Digests as one bound JSON array, read back as a table with {@code <digests>} ({@link Dialect#templateValues}). */
  static String digestArray(Collection<Digest> digests) {
    return jsonArray(digests.stream().map(Digest::toString).toList());
  }

  static int checkedLimit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    return limit;
  }

  static Map<String, String> annotations(String json) {
    try {
      return Collections.unmodifiableMap(JSON.readValue(json, STRING_MAP));
    } catch (JsonProcessingException e) {
      throw new MetadataException("stored annotations are not a JSON object of strings", e);
    }
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return Instant.ofEpochMilli(rs.getLong(column));
  }

  static dev.berth.metadata.GcRunRecord gcRun(ResultSet rs, StatementContext ctx) throws SQLException {
    Optional<Instant> finishedAt = optionalInstant(rs, "finished_at");
    return new dev.berth.metadata.GcRunRecord(
        rs.getString("id"),
        rs.getString("requested_by"),
        rs.getString("trigger_kind"),
        rs.getInt("dry_run") != 0,
        rs.getInt("delete_untagged") != 0,
        java.time.Duration.ofMillis(rs.getLong("grace_ms")),
        dev.berth.metadata.GcRunRecord.Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
        instant(rs, "started_at"),
        finishedAt,
        rs.getLong("bytes_freed"),
        Optional.ofNullable(rs.getString("report")),
        Optional.ofNullable(rs.getString("log")),
        Optional.ofNullable(rs.getString("owner")),
        optionalInstant(rs, "heartbeat_at"));
  }

  static GcRunItem gcRunItem(ResultSet rs, StatementContext ctx) throws SQLException {
    String repositories = rs.getString("repositories");
    return new GcRunItem(
        rs.getLong("seq"),
        GcRunItem.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
        repositories.isEmpty() ? List.of() : Arrays.stream(repositories.split(",")).map(RepositoryName::new).toList(),
        Optional.ofNullable(rs.getString("digest")).map(Digest::parse),
        rs.getLong("size"));
  }

  static dev.berth.metadata.AccessStore.RobotRecord robot(ResultSet rs, StatementContext ctx) throws SQLException {
    return new dev.berth.metadata.AccessStore.RobotRecord(
        rs.getString("name"), rs.getString("secret_hash"), rs.getString("namespace"), rs.getString("role"),
        rs.getString("created_by"), instant(rs, "created_at"), optionalInstant(rs, "expires_at"),
        optionalInstant(rs, "revoked_at"));
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }
}
