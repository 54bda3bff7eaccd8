package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fanned out from a run that has not ended is estimated as one run when submitted (how
 * many runs it will have is not known yet); its runs are checked against the spending limit when
 * the worker expands it, as a batch's runs are at submission. Over the limit, nothing is
 * expanded and the batch ends failed, saying what the runs would cost and what is left.
 */
class LaterFanOutSpendingTest {
  private static final long ONE_MICRO_PER_MS = 3_600_000L; // €3.60 an hour
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void anExpansionThatWouldCrossTheSpendingLimitStoresNoRunAndFailsTheBatch() throws Exception {
    Path produce = Files.writeString(tmp.resolve("produce.py"), String.join("\n",
        "import os, sys, time",
        "deadline = time.time() + 60",
        "while not os.path.exists(sys.argv[1]) and time.time() < deadline:",
        "    time.sleep(0.02)",
        "os.makedirs('out', exist_ok=True)",
        "for i in range(500):",
        "    open('out/f%04d.csv' % i, 'w').write(str(i))",
        ""));
    Path twice = Files.writeString(tmp.resolve("twice.py"), String.join("\n",
        "import sys",
        "open('double.txt', 'w').write(str(2 * int(open(sys.argv[1]).read())))",
        ""));
    Path one = Files.writeString(tmp.resolve("one.csv"), "1");
    try (LocalRGrid rgrid = RGrid.builder().home(tmp.resolve("home")).engine("process")
        .workers(2).hourlyPrice(ONE_MICRO_PER_MS).build()) {
      // A run of the script first: its cost is the history the expansion is estimated from.
      ExecutionRecord history = rgrid.run(RunSpec.builder(twice).detectDependencies(false)
          .args(one.toString()).build()).await(WAIT).orElseThrow();
      assertThat(history.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(history.costMicros()).isPositive();

      Path gate = tmp.resolve("gate");
      Execution parent = rgrid.run(RunSpec.builder(produce).detectDependencies(false)
          .cache(false).args(gate.toString()).build());
      // 5 s of the worker's time left: enough for the parent and the batch's one estimated run,
      // far from enough for 500 runs of the script, whatever one costs on this machine.
      long spent = rgrid.spending().spentMicros();
      rgrid.setSpendingLimit(spent + 5_000L + history.costMicros(), List.of(100));
      Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(twice)
          .detectDependencies(false).args("{}").build())
          .itemsFrom(parent.id(), "out/*.csv").parallel(4).build());
      Files.writeString(gate, "go");
      assertThat(parent.await(WAIT).orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);

      List<ExecutionRecord> runs = waitForEnd(rgrid, batch);
      assertThat(runs).as("only the template: nothing was expanded").hasSize(1);
      ExecutionRecord template = runs.get(0);
      assertThat(template.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(template.failure().kind()).isEqualTo(FailureKind.INPUT_ERROR);
      assertThat(template.failure().message())
          .contains("batch " + batch.id() + " was not expanded into its 500 runs")
          .contains("these 500 runs would cost about")
          .contains("monthly spending limit");
      assertThat(template.failure().hint()).contains("rgrid limit set");
      assertThat(rgrid.batchProgress(batch.id()).failed()).isEqualTo(1);
    }
  }

  private static List<ExecutionRecord> waitForEnd(LocalRGrid rgrid, Batch batch)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      List<ExecutionRecord> runs = rgrid.list(new ExecutionQuery(Set.of(), Map.of(),
          batch.id().value(), null, 1000)).items();
      if (!runs.isEmpty() && runs.stream().allMatch(r -> r.status().isTerminal())) {
        return runs;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("batch " + batch.id() + " did not end: " + runs);
      }
      Thread.sleep(20);
    }
  }
}
