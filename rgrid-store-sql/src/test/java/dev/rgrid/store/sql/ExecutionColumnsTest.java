package dev.rgrid.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.tck.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The column values a row is written with: every column at creation, the mutable ones after. */
class ExecutionColumnsTest {
  private final ExecutionRecord record = Fixtures.queued(Fixtures.T0, Map.of("team", "data"),
      "batch_1");

  @Test
  void anUpdateWritesExactlyTheMutableColumnsInTheirOrderAndNeverTheSpec() {
    Map<String, Object> mutable = ExecutionColumns.mutableValues(record);
    assertThat(new ArrayList<>(mutable.keySet())).isEqualTo(ExecutionColumns.MUTABLE);
    assertThat(mutable).doesNotContainKeys("spec", "id", "created_at", "batch_id");
  }

  @Test
  void aCreationWritesEveryColumnWithTheSameValuesAnUpdateWould() {
    Map<String, Object> all = ExecutionColumns.values(record);
    List<String> expected = new ArrayList<>(ExecutionColumns.IMMUTABLE);
    expected.addAll(ExecutionColumns.MUTABLE);
    assertThat(new ArrayList<>(all.keySet())).isEqualTo(expected);
    ExecutionColumns.mutableValues(record).forEach((column, value) ->
        assertThat(all).containsEntry(column, value));
    assertThat((String) all.get("spec")).contains("\"batchId\":\"batch_1\"");
  }
}
