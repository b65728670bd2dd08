package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statements kept per connection are used again, with nothing of their last use left on them. */
class SqlitePreparedStatementsTest {
  private static final String BY_NAME = "SELECT value FROM entries WHERE name = :name";

  @TempDir Path dir;
  private HikariDataSource pool;
  private Jdbi jdbi;
  private final List<PreparedStatement> executed = new ArrayList<>();

  @BeforeEach
  void open() {
    // One connection: every handle below uses the same one, as a busy server's pool does in turns.
    pool = OneConnectionPool.sqlite(dir.resolve("statements.db"));
    jdbi = Jdbi.create(pool);
    jdbi.setStatementBuilderFactory(new SqlitePreparedStatements());
    jdbi.useHandle(h -> {
      h.execute("CREATE TABLE entries (name TEXT PRIMARY KEY, value INTEGER)");
      for (int i = 0; i < 5; i++) {
        h.execute("INSERT INTO entries (name, value) VALUES (?, ?)", "e" + i, i);
      }
    });
  }

  @AfterEach
  void close() {
    pool.close();
  }

  private StatementCustomizer recording() {
    return new StatementCustomizer() {
      @Override
      public void beforeExecution(PreparedStatement statement, StatementContext ctx) {
        executed.add(statement);
      }
    };
  }

  private List<Integer> valuesOf(String name) {
    return jdbi.withHandle(h -> h.createQuery(BY_NAME).bind("name", name).addCustomizer(recording()).mapTo(Integer.class).list());
  }

  @Test
  void aStatementIsPreparedOnceAndRunsWithTheParametersOfEachUse() {
    assertThat(valuesOf("e1")).containsExactly(1);
    assertThat(valuesOf("e3")).containsExactly(3);
    assertThat(valuesOf("missing")).isEmpty();
    assertThat(executed).hasSize(3);
    assertThat(executed.get(1)).isSameAs(executed.get(0));
    assertThat(executed.get(2)).isSameAs(executed.get(0));
  }

  @Test
  void aStatementAskedForWhileItsResultsAreReadIsAnotherOne() {
    List<String> pairs = jdbi.withHandle(h -> h.createQuery("SELECT name FROM entries ORDER BY name")
        .mapTo(String.class)
        .stream()
        .map(name -> name + "=" + h.createQuery(BY_NAME).bind("name", name).addCustomizer(recording())
            .mapTo(Integer.class).one() + "," + h.createQuery(BY_NAME).bind("name", "e0").mapTo(Integer.class).one())
        .toList());
    assertThat(pairs).containsExactly("e0=0,0", "e1=1,0", "e2=2,0", "e3=3,0", "e4=4,0");
    assertThat(executed).hasSize(5).allSatisfy(statement -> assertThat(statement).isSameAs(executed.get(0)));
  }

  @Test
  void aNestedUseOfTheSameTextGetsItsOwnStatement() {
    String all = "SELECT name FROM entries WHERE value >= :from ORDER BY name";
    List<String> seen = jdbi.withHandle(h -> h.createQuery(all).bind("from", 3).mapTo(String.class).stream()
        .map(outer -> outer + ":" + String.join(",", h.createQuery(all).bind("from", 4).mapTo(String.class).list()))
        .toList());
    assertThat(seen).containsExactly("e3:e4", "e4:e4");
  }

  @Test
  void moreTextsThanAreKeptAllRun() {
    jdbi.useHandle(h -> {
      for (int i = 0; i < 600; i++) {
        assertThat(h.createQuery("SELECT value + " + i + " FROM entries WHERE name = :name").bind("name", "e2")
            .mapTo(Integer.class).one()).isEqualTo(2 + i);
      }
    });
    assertThat(valuesOf("e4")).containsExactly(4);
  }

  @Test
  void writesThroughAKeptStatementCommitAndSeeTheirParametersAfresh() {
    String update = "UPDATE entries SET value = :value WHERE name = :name";
    jdbi.useHandle(h -> {
      assertThat(h.createUpdate(update).bind("value", 10).bind("name", "e1").execute()).isEqualTo(1);
      assertThat(h.createUpdate(update).bind("value", 20).bind("name", "e2").execute()).isEqualTo(1);
    });
    assertThat(valuesOf("e1")).containsExactly(10);
    assertThat(valuesOf("e2")).containsExactly(20);
  }
}
