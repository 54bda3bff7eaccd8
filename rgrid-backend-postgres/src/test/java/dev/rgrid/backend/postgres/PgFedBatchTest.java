package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fed by another batch's runs (N to N) on PostgreSQL, with two workers on connections of
 * their own polling only every ten minutes and a client that only submits: each fed run is
 * released by its own parent run's end on whichever worker ends it, a failed parent run skips
 * only its child, and the same two batches again are cache hits.
 */
class PgFedBatchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(240);

  @TempDir Path tmp;

  @Test
  void fiftyRunsEachReleasedByTheirOwnParentRunOnTwoWorkersAndRerunAsCacheHits()
      throws Exception {
    Path part = Files.writeString(tmp.resolve("part.py"), String.join("\n",
        "import sys",
        "text = open(sys.argv[1]).read()",
        "if text == 'fail':",
        "    sys.exit(3)",
        "open('part.csv', 'w').write(text)",
        ""));
    Path twice = Files.writeString(tmp.resolve("twice.py"), String.join("\n",
        "import sys",
        "open('double.txt', 'w').write(str(2 * int(open(sys.argv[1]).read())))",
        ""));
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      inputs.add(Files.writeString(tmp.resolve(String.format("n%02d.txt", i)),
          i == 30 ? "fail" : Integer.toString(i)));
    }
    try (PgTwoWorkers pg = PgTwoWorkers.open(tmp)) {
      LocalRGrid client = pg.client;

      Map<String, Object> first = runBoth(client, part, twice, inputs);
      Batch parents = (Batch) first.get("parents");
      Batch fed = (Batch) first.get("fed");
      BatchProgress done = (BatchProgress) first.get("done");
      assertThat(done.succeeded()).isEqualTo(49);
      assertThat(done.failed()).isEqualTo(1);
      Map<String, ExecutionRecord> parentByFolder = new HashMap<>();
      for (BatchItem item : parents.items()) {
        parentByFolder.put(item.folder(), parents.record(item));
      }
      for (BatchItem item : fed.items()) {
        ExecutionRecord child = fed.record(item);
        ExecutionRecord parent = parentByFolder.get(item.folder());
        if (item.folder().equals("n30.txt")) {
          assertThat(parent.status()).isEqualTo(ExecutionStatus.FAILED);
          assertThat(child.status()).isEqualTo(ExecutionStatus.SKIPPED);
          continue;
        }
        assertThat(child.status()).as(item.folder()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(child.startedAt()).isAfterOrEqualTo(parent.finishedAt());
        assertThat(child.workerId().value()).isIn("worker-0", "worker-1");
      }
      Path out = tmp.resolve("out");
      client.downloadBatch(fed.id(), out, false);
      assertThat(out.resolve("n21.txt/double.txt")).hasContent("42");

      Map<String, Object> again = runBoth(client, part, twice, inputs);
      BatchProgress rerun = (BatchProgress) again.get("done");
      assertThat(rerun.succeeded()).isEqualTo(49);
      assertThat(rerun.cached()).isEqualTo(49);
    }
  }

  /** The parent batch and the batch it feeds, submitted at once, and the fed one's end. */
  private static Map<String, Object> runBoth(LocalRGrid client, Path part, Path twice,
      List<Path> inputs) throws InterruptedException {
    Batch parents = client.batch(BatchSpec.builder(RunSpec.builder(part).build())
        .inputs(inputs).parallel(4).build());
    BatchId parentId = parents.id();
    Batch fed = client.batch(BatchSpec.builder(RunSpec.builder(twice).args("{}").build())
        .itemsFrom(parentId, "part.csv").parallel(4).build());
    BatchProgress done = fed.await(DEADLINE).orElseThrow();
    parents.await(DEADLINE).orElseThrow();
    return Map.of("parents", parents, "fed", fed, "done", done);
  }
}
