package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fanned out from a run still running, on PostgreSQL, with two workers on connections of
 * their own polling only every ten minutes and a client that only submits: the parent's end
 * releases the batch's template run (announced, not polled for), one worker expands it exactly
 * once, and both run its runs.
 */
class PgLaterFanOutTest {
  private static final Duration DEADLINE = Duration.ofSeconds(240);
  private static final int OUTPUTS = 24;

  @TempDir Path tmp;

  @Test
  void aBatchFromARunningParentIsExpandedOnceByOneOfTwoWorkersWhenTheParentEnds()
      throws Exception {
    Path gate = tmp.resolve("gate");
    Path produce = Files.writeString(tmp.resolve("produce.py"), String.join("\n",
        "import os, sys, time",
        "deadline = time.time() + 120",
        "while not os.path.exists(sys.argv[1]) and time.time() < deadline:",
        "    time.sleep(0.02)",
        "os.makedirs('out', exist_ok=True)",
        "for i in range(" + OUTPUTS + "):",
        "    open('out/f%02d.csv' % i, 'w').write(str(i))",
        ""));
    Path twice = Files.writeString(tmp.resolve("twice.py"), String.join("\n",
        "import sys",
        "open('double.txt', 'w').write(str(2 * int(open(sys.argv[1]).read())))",
        ""));
    Path after = Files.writeString(tmp.resolve("after.py"), "print('after all of them')\n");
    try (PgTwoWorkers pg = PgTwoWorkers.open(tmp)) {
      LocalRGrid client = pg.client;

      Execution parent = client.run(RunSpec.builder(produce).detectDependencies(false)
          .args(gate.toString()).build());
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (parent.status() != ExecutionStatus.RUNNING) {
        assertThat(System.nanoTime()).as("the parent starts").isLessThan(deadline);
        Thread.sleep(20);
      }
      Batch batch = client.batch(BatchSpec.builder(RunSpec.builder(twice)
          .detectDependencies(false).args("{}").build()).itemsFrom(parent.id(), "out/*.csv")
          .parallel(4).build());
      List<ExecutionRecord> before = runs(client, batch);
      assertThat(before).singleElement().satisfies(r ->
          assertThat(r.status()).isEqualTo(ExecutionStatus.WAITING));
      assertThat(client.batchProgress(batch.id()).done()).isFalse();
      // A run waiting for the whole batch (fan-in) before its runs exist: handed over to them
      // in the transaction that ends the template, released by the last of them.
      Execution fanIn = client.run(RunSpec.builder(after).detectDependencies(false)
          .after(batch.id()).build());
      assertThat(fanIn.status()).isEqualTo(ExecutionStatus.WAITING);

      Files.writeString(gate, "go");
      BatchProgress done = batch.await(DEADLINE).orElseThrow();
      assertThat(done.total()).isEqualTo(OUTPUTS);
      assertThat(done.succeeded()).isEqualTo(OUTPUTS);

      // Exactly once: the template ran one attempt, on one worker, and is replaced by exactly
      // one run per output.
      List<ExecutionRecord> all = runs(client, batch);
      assertThat(all).hasSize(OUTPUTS + 1);
      ExecutionRecord template = client.find(before.get(0).id()).orElseThrow();
      assertThat(template.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(template.attempt()).isEqualTo(1);
      assertThat(template.transitions()).filteredOn(t -> t.status() == ExecutionStatus.RUNNING)
          .hasSize(1);
      assertThat(template.retriedBy()).isNotNull();
      Set<String> folders = new HashSet<>();
      Set<String> workers = new HashSet<>();
      for (BatchItem item : batch.items()) {
        ExecutionRecord run = batch.record(item);
        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(folders.add(item.folder())).as("one run for %s", item.folder()).isTrue();
        workers.add(run.workerId().value());
      }
      assertThat(folders).hasSize(OUTPUTS);
      assertThat(workers).isSubsetOf(Set.of("worker-0", "worker-1"));
      Path out = tmp.resolve("out");
      client.downloadBatch(batch.id(), out, false);
      assertThat(out.resolve("f07.csv/double.txt")).hasContent("14");
      ExecutionRecord reduced = fanIn.await(DEADLINE).orElseThrow();
      assertThat(reduced.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      java.time.Instant started = reduced.transitions().stream()
          .filter(t -> t.status() == ExecutionStatus.RUNNING).findFirst().orElseThrow().at();
      for (BatchItem item : batch.items()) {
        assertThat(batch.record(item).finishedAt()).isBeforeOrEqualTo(started);
      }
    }
  }

  private static List<ExecutionRecord> runs(LocalRGrid client, Batch batch) {
    return client.list(new ExecutionQuery(Set.of(), Map.of(), batch.id().value(), null, 1000))
        .items();
  }
}
