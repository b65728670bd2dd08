package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-memory quota counts of SQLite follow the transactions they were changed in: a transaction
 * whose work fails takes back what it added and drops a counting it made.
 */
class ProcessQuotaCountsTest {
  @TempDir Path dir;
  private final ProcessQuotaCounts counts = new ProcessQuotaCounts();
  private SqlTransactions transactions;

  @BeforeEach
  void open() {
    transactions = new SqlTransactions(OneConnectionPool.sqlite(dir.resolve("counts.db")), Dialect.SQLITE);
  }

  @AfterEach
  void close() {
    transactions.close();
  }

  private OptionalLong add(String namespace, long bytes) {
    return transactions.atomically(tx -> counts.add(tx, namespace, bytes));
  }

  private void set(String namespace, long bytes) {
    transactions.atomically(tx -> {
      counts.set(tx, namespace, bytes);
      return null;
    });
  }

  @Test
  void aNamespaceThisProcessHasNotCountedIsNotAddedTo() {
    assertThat(add("team", 10)).isEmpty();
    set("team", 100);
    assertThat(add("team", 10)).hasValue(110);
    assertThat(add("other", 10)).isEmpty();
    assertThat(add("team", 0)).hasValue(110);
  }

  @Test
  void aTransactionWhoseWorkFailsTakesBackWhatItAddedAndDropsWhatItCounted() {
    set("team", 100);
    assertThatThrownBy(() -> transactions.atomically(tx -> {
      assertThat(counts.add(tx, "team", 10)).hasValue(110);
      assertThat(counts.add(tx, "team", 5)).hasValue(115);
      throw new IllegalStateException("refused");
    })).hasMessage("refused");
    assertThat(add("team", 0)).hasValue(100);

    assertThatThrownBy(() -> transactions.atomically(tx -> {
      counts.set(tx, "team", 300);
      assertThat(counts.add(tx, "team", 7)).hasValue(307);
      throw new IllegalStateException("refused");
    })).hasMessage("refused");
    assertThat(add("team", 0)).as("the counting did not commit: counted again next time").isEmpty();
  }

  @Test
  void anUndoOutsideATransactionIsRefused() {
    assertThatThrownBy(() -> transactions.onRollback(() -> {})).isInstanceOf(IllegalStateException.class);
  }
}
