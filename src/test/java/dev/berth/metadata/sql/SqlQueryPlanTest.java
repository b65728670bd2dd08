package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lookups on the delete and referrers paths seek their index instead of walking every row of the
 * repository, whatever the number of tags or manifests in it: their cost per call stays flat.
 */
class SqlQueryPlanTest {
  @TempDir Path dir;
  private Path database;

  @BeforeEach
  void migrate() {
    database = dir.resolve("metadata.db");
    SqlMetadataStore.sqlite(database).close();
  }

  private List<String> plan(String namedSql) throws Exception {
    String sql = namedSql.replaceAll(":[a-zA-Z]+", "?");
    List<String> steps = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
         PreparedStatement explain = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
      for (int i = 1; i <= explain.getParameterMetaData().getParameterCount(); i++) {
        explain.setString(i, "x");
      }
      try (ResultSet rows = explain.executeQuery()) {
        while (rows.next()) {
          steps.add(rows.getString("detail"));
        }
      }
    }
    return steps;
  }

  @ParameterizedTest
  @CsvSource({
      "SqlManifests.TAGS_OF_MANIFEST, tags_manifest (repository=? AND manifest_digest=?)",
      "SqlManifests.PARENTS_OF_MANIFEST, manifest_children_by_child (repository=? AND child_digest=?)",
      "SqlManifests.REFERRERS_OF_MANIFEST, manifests_subject (repository=? AND subject=?)",
      "SqlBlobs.MANIFESTS_OF_REPOSITORY_USING_BLOB, manifest_blobs_by_blob (blob_digest=? AND repository=?)",
  })
  void seeksItsIndexOnBothColumns(String statement, String index) throws Exception {
    String[] classAndField = statement.split("\\.");
    String sql = (String) Class.forName(SqlMetadataStore.class.getPackageName() + "." + classAndField[0])
        .getDeclaredField(classAndField[1]).get(null);
    assertThat(plan(sql)).singleElement().asString().contains("USING").endsWith("INDEX " + index);
  }

  /** A batch bound as one JSON array is looked up key by key in the index, never by a scan. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT b.digest FROM blobs b WHERE b.digest IN <digests> | SEARCH b USING PRIMARY KEY (digest=?)",
      "SELECT digest, repository FROM repository_blobs WHERE digest IN <digests>"
          + " | SEARCH repository_blobs USING COVERING INDEX repository_blobs_digest (digest=?)",
      "DELETE FROM blobs WHERE digest IN <digests> AND state = 'deleting' | SEARCH blobs USING PRIMARY KEY (digest=?)",
      "<table>SELECT g.created_at FROM k JOIN manifests g ON g.repository = k.repository AND g.digest = k.digest"
          + " | SEARCH g USING INDEX sqlite_autoindex_manifests_1 (repository=? AND digest=?)",
  })
  void aBatchSeeksTheIndexPerKey(String template, String step) throws Exception {
    String sql = template.replace("<table>", KeyPairs.TABLE);
    for (var value : Dialect.SQLITE.templateValues().entrySet()) {
      sql = sql.replace("<" + value.getKey() + ">", value.getValue());
    }
    assertThat(plan(sql)).contains(step).noneMatch(detail -> detail.startsWith("SCAN") && !detail.contains("json_each"));
  }

  /** Every console request looks its session up, and every login its failures: one seek each. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "FIND | SEARCH console_sessions USING PRIMARY KEY (token_hash=?)",
      "COUNT_SINCE | SEARCH login_failures USING PRIMARY KEY (throttle_key=? AND at_second>?)",
  })
  void sharedStateIsFoundByItsPrimaryKey(String statement, String step) throws Exception {
    Class<?> store = statement.equals("FIND") ? SqlConsoleSessions.class : SqlLoginFailures.class;
    java.lang.reflect.Field field = store.getDeclaredField(statement);
    assertThat(plan((String) field.get(null))).singleElement().asString().isEqualTo(step);
  }
}
