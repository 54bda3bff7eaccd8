package dev.rgrid.backend.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.postgres.PgTests;
import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The claims read the head of the queue in the claim order (deepest, then oldest) through the
 * indexes made for it, on a queue of a few thousand entries: no claim sorts or scans the queue.
 */
class PgQueuePlanTest {
  private static final long NOW = 1_000_000L;

  @Test
  void claimsReadTheDeepestOldestEntriesByIndex() {
    PostgresSettings settings = PgTests.freshDatabase();
    try (PostgresBackend backend = PostgresBackend.open(settings)) { // migrates
      Jdbi jdbi = Jdbi.create(settings.jdbcUrl(), settings.user(), settings.password());
      jdbi.useHandle(h -> {
        // 3,000 entries: ungrouped roots and deeper steps, and three limited groups.
        h.execute("INSERT INTO queue (execution_id, not_before, attempt, enqueued_at,"
            + " group_id, group_limit, depth) SELECT 'x' || i, 0, 1, 0,"
            + " CASE WHEN i % 2 = 0 THEN NULL ELSE 'batch-' || (i % 3) END,"
            + " CASE WHEN i % 2 = 0 THEN 0 ELSE 4 END, i % 3"
            + " FROM generate_series(1, 3000) AS i");
        h.execute("ANALYZE queue");
        String ungrouped = plan(h, PgQueueSql.ANY.claimUngrouped());
        assertThat(ungrouped).contains("queue_ungrouped_depth").doesNotContain("Sort");
        String grouped = plan(h, PgQueueSql.ANY.candidates());
        assertThat(grouped).contains("queue_ungrouped_depth", "queue_limited_group_depth")
            .doesNotContain("Seq Scan on queue");
      });
    }
  }

  private static String plan(Handle h, String sql) {
    List<String> lines = h.createQuery("EXPLAIN " + sql)
        .bind("now", NOW).bind("until", NOW + 1).bind("worker", "worker-w").bind("max", 4)
        .mapTo(String.class).list();
    String plan = String.join("\n", lines);
    System.out.println(plan); // the plan, for people reading the build's output
    return plan;
  }
}
