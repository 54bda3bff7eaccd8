package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rgrid.spi.store.ExecutionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fed by a parent batch of 10,000 runs is stored whole, each run waiting for its own
 * parent run, in bounded time and heap: nothing runs (no workers), so only storing is measured.
 */
class FedBatchScaleTest {
  private static final int SIZE = 10_000;

  @TempDir static Path tmp;

  @Test
  void aBatchFedByTenThousandRunsIsStoredWaitingWithinItsDeadline() throws IOException {
    Path script = Files.writeString(tmp.resolve("each.py"), "print(1)\n");
    Path in = Files.createDirectories(tmp.resolve("in"));
    List<Path> inputs = new ArrayList<>(SIZE);
    for (int i = 0; i < SIZE; i++) {
      inputs.add(Files.writeString(in.resolve("f" + i + ".txt"), Integer.toString(i)));
    }
    try (LocalRGrid rgrid = RGrid.builder().home(tmp.resolve("home")).engine("process")
        .workers(0).build()) {
      Batch parents = rgrid.batch(BatchSpec.builder(RunSpec.builder(script)
          .detectDependencies(false).build()).inputs(inputs).parallel(8).build());
      // Deadline of its own: storing 10,000 runs took over 90 s on a loaded 2-core machine.
      Batch fed = assertTimeoutPreemptively(Duration.ofMinutes(5), () -> rgrid.batch(
          BatchSpec.builder(RunSpec.builder(script).detectDependencies(false).args("{}")
              .build()).itemsFrom(parents.id(), "*.csv").parallel(8).build()));
      assertThat(fed.items()).hasSize(SIZE);
      assertThat(fed.items().get(SIZE - 1).folder()).isNotBlank();
      BatchProgress stored = rgrid.batchProgress(fed.id());
      assertThat(stored.total()).isEqualTo(SIZE);
      assertThat(stored.queued()).isEqualTo(SIZE);
      assertThat(stored.done()).isFalse();
      assertThat(rgrid.find(fed.items().get(0).executionId()).orElseThrow().status())
          .isEqualTo(ExecutionStatus.WAITING);
      // Cancelling it ends the waiting runs too.
      assertThat(rgrid.cancelBatch(fed.id())).isEqualTo(SIZE);
      assertThat(rgrid.batchProgress(fed.id()).cancelled()).isEqualTo(SIZE);
    }
  }
}
