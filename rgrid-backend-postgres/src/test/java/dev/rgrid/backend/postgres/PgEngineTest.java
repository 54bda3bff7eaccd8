package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole engine on PostgreSQL: runs, a batch under its cap, the cache, costs. */
class PgEngineTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path home;
  @TempDir Path src;

  @Test
  void runsABatchAndSingleRunsWithStateInPostgres() throws Exception {
    Path script = Files.writeString(src.resolve("upper.py"), String.join("\n",
        "import sys",
        "text = open(sys.argv[-1]).read()",
        "if 'fail' in text:",
        "    sys.exit(3)",
        "open('out.txt', 'w').write(text.upper())",
        "print(text)",
        ""));
    for (int i = 0; i < 5; i++) {
      Files.writeString(src.resolve("in-" + i + ".txt"), i == 4 ? "fail" : "text " + i);
    }
    try (PostgresBackend pg = PgTests.freshBackend();
        LocalRGrid rgrid = RGrid.builder().home(home).store(pg.metadataStore()).queue(pg.queue())
            .engine("process").workers(4).hourlyPrice(3_600_000).build()) {
      Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
          .build()).glob("in-*.txt").parallel(2).build());
      BatchProgress done = batch.await(DEADLINE).orElseThrow();
      assertThat(done.succeeded()).isEqualTo(4);
      assertThat(done.failed()).isEqualTo(1);
      BatchProgress stored = rgrid.batchProgress(batch.id());
      assertThat(stored.succeeded()).isEqualTo(4);
      assertThat(stored.failed()).isEqualTo(1);
      assertThat(rgrid.batchRecord(batch.id()).parallel()).isEqualTo(2);
      Path out = src.resolve("outputs");
      batch.downloadOutputs(out, false);
      assertThat(out.resolve("in-0.txt/out.txt")).hasContent("TEXT 0");

      // The same batch again: every success comes from the cache kept in PostgreSQL.
      BatchProgress again = rgrid.batch(BatchSpec.builder(RunSpec.builder(script)
          .baseDirectory(src).build()).glob("in-*.txt").parallel(2).build())
          .await(DEADLINE).orElseThrow();
      assertThat(again.cached()).isEqualTo(4);

      ExecutionRecord one = rgrid.run(RunSpec.builder(script).baseDirectory(src)
          .args("in-1.txt").cache(false).build()).await(DEADLINE).orElseThrow();
      assertThat(one.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(one.costMicros()).isPositive();
      assertThat(rgrid.logs(one.id(), 0, 10)).extracting(l -> l.text()).contains("text 1");
    }
  }
}
