package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchItem;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chained runs on PostgreSQL with two workers, each on connections of its own, and a client that
 * only submits: a chain, a diamond and a fan-in over a batch. The workers poll only every ten minutes: a child released by its parent's end is
 * claimed because the release woke a worker, not because one looked.
 */
class PgChainedRunsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path tmp;

  @Test
  void twoWorkersRunAChainADiamondAndAFanInReleasedByTheirParentsEnds() throws Exception {
    Path go = tmp.resolve("go");
    Path write = Files.writeString(tmp.resolve("write.py"), String.join("\n",
        "import os, sys, time",
        "deadline = time.time() + 60",
        "while not os.path.exists(sys.argv[1]) and time.time() < deadline:",
        "    time.sleep(0.05)",
        "open('out.txt', 'w').write('a')",
        ""));
    Path append = Files.writeString(tmp.resolve("append.py"), String.join("\n",
        "import glob, sys",
        "text = ''.join(open(p).read() for p in sorted(glob.glob('*.txt')))",
        "open('out.txt', 'w').write(text + sys.argv[1])",
        ""));
    try (PgTwoWorkers pg = PgTwoWorkers.open(tmp)) {
      LocalRGrid client = pg.client;
      List<LocalRGrid> workers = pg.workers;

      Execution a = client.run(RunSpec.builder(write).args(go.toString()).build());
      // A chain a -> b -> c, and a diamond a -> (d, e) -> f, all submitted while a runs.
      Execution b = client.run(RunSpec.builder(append).from(a.id(), "out.txt").args("b")
          .build());
      Execution c = client.run(RunSpec.builder(append).from(b.id(), "out.txt").args("c")
          .build());
      Execution d = client.run(RunSpec.builder(append).from(a.id(), "out.txt").args("d")
          .build());
      Execution e = client.run(RunSpec.builder(append).after(a.id()).args("e").build());
      Execution f = client.run(RunSpec.builder(append).from(d.id(), "out.txt").after(e.id())
          .args("f").build());
      for (Execution waiting : List.of(b, c, d, e, f)) {
        assertThat(waiting.status()).isEqualTo(ExecutionStatus.WAITING);
      }
      Files.writeString(go, "go");

      List<ExecutionRecord> ends = new ArrayList<>();
      for (Execution x : List.of(a, b, c, d, e, f)) {
        ends.add(x.await(DEADLINE).orElseThrow());
      }
      assertThat(ends).extracting(ExecutionRecord::status).containsOnly(ExecutionStatus.SUCCEEDED);
      ExecutionRecord last = ends.get(5);
      ExecutionRecord middleD = ends.get(3);
      ExecutionRecord middleE = ends.get(4);
      assertThat(last.startedAt()).isAfterOrEqualTo(middleD.finishedAt())
          .isAfterOrEqualTo(middleE.finishedAt());
      assertThat(ends).extracting(r -> r.workerId().value())
          .allMatch(w -> w.equals("worker-0") || w.equals("worker-1"));
      Path out = tmp.resolve("out");
      c.downloadOutputs(out.resolve("c"));
      f.downloadOutputs(out.resolve("f"));
      assertThat(out.resolve("c/out.txt")).hasContent("abc");
      assertThat(out.resolve("f/out.txt")).hasContent("adf");

      // Fan-in: a child of a batch of six, whose runs end on both workers, some at once; the
      // end of the last releases it (its runs wait for a file, so it is stored first).
      Path gate = tmp.resolve("gate");
      Path each = Files.writeString(tmp.resolve("each.py"), String.join("\n",
          "import os, sys, time",
          "deadline = time.time() + 60",
          "while not os.path.exists(sys.argv[1]) and time.time() < deadline:",
          "    time.sleep(0.05)",
          "open('out.txt', 'w').write(open(sys.argv[2]).read())",
          ""));
      Path join = Files.writeString(tmp.resolve("join.py"), String.join("\n",
          "import os",
          "found = sorted(os.path.join(d, f) for d, _, fs in os.walk('.') for f in fs",
          "               if f == 'out.txt')",
          "open('joined.txt', 'w').write(''.join(open(p).read() for p in found))",
          ""));
      List<Path> inputs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        inputs.add(Files.writeString(tmp.resolve("in" + i + ".txt"), Integer.toString(i)));
      }
      Batch batch = client.batch(BatchSpec.builder(RunSpec.builder(each)
          .args(gate.toString()).build()).inputs(inputs).parallel(4).build());
      Execution fanIn = client.run(RunSpec.builder(join).from(batch.id(), "**/out.txt").build());
      assertThat(fanIn.status()).isEqualTo(ExecutionStatus.WAITING);
      Files.writeString(gate, "go");
      ExecutionRecord joined = fanIn.await(DEADLINE).orElseThrow();
      assertThat(joined.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      for (BatchItem item : batch.items()) {
        ExecutionRecord run = batch.record(item);
        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(joined.startedAt()).isAfterOrEqualTo(run.finishedAt());
      }
      fanIn.downloadOutputs(out.resolve("joined"));
      assertThat(out.resolve("joined/joined.txt")).hasContent("012345");
    }
  }
}
