package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker lost mid-run on a real Docker engine: its container goes on writing after the worker
 * died, and the next worker on the machine reads that output back into the execution's log,
 * marks the lost attempt, and runs the execution again as its second attempt.
 */
class LostAttemptOutputTest {
  private static final Duration SOON = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void theNextWorkerReadsBackWhatTheLostAttemptWroteThenMarksTheLossAndRunsItAgain()
      throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path script = Files.writeString(dir.resolve("twice.py"), """
        import os, sys, time
        for i in range(3):
            print("before", i, flush=True)
        print("err before", os.environ["LOST_TOKEN"], file=sys.stderr, flush=True)
        time.sleep(3)
        for i in range(3):
            print("after", i, flush=True)
        print("err after", os.environ["LOST_TOKEN"], file=sys.stderr, flush=True)
        """);
    Process worker = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LostWorker.class.getName(), home.toString(),
        script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ExecutionId id;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(),
        StandardCharsets.UTF_8));
        LocalRGrid reader = RGrid.builder().home(home).workers(0).build();
        Engine engine = Engine.connect(DockerTests.settings())) {
      id = new ExecutionId(out.readLine());
      // Every line before the pause stored (stdout and stderr are stored apart, so one being
      // there says nothing of the other) before the worker dies: what comes after is then
      // exactly what only its container still has.
      DockerTests.within(SOON, () -> texts(reader.logs(id, 0, 100)).containsAll(
          List.of("before 0", "before 1", "before 2", "err before ***")));
      worker.destroyForcibly();
      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // The lost attempt's script goes on: its container ends by itself, its output unread.
      Map<String, String> ofRun = Map.of(Leftovers.EXECUTION, id.value());
      DockerTests.within(SOON, () -> new Leftovers(engine).list(ofRun).stream()
          .map(Container::getState).allMatch("exited"::equals));
      assertThat(new Leftovers(engine).list(ofRun)).hasSize(1);
      // Its environment holds the secret (as any container's does); its labels never.
      assertThat(new Leftovers(engine).list(ofRun).get(0).getLabels().values())
          .noneMatch(v -> v.contains(LostWorker.SECRET));

      try (DockerRuntime runtime = new DockerRuntime(DockerTests.settings());
          LocalRGrid next = RGrid.builder().home(home).runtime(runtime).workers(1)
              .workerId(new WorkerId("next-worker")).lease(LostWorker.LEASE)
              .pollInterval(Duration.ofMillis(100)).build()) {
        DockerTests.within(SOON, () -> next.execution(id).status().isTerminal());
        ExecutionRecord done = next.execution(id).record();
        assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.workerId()).isEqualTo(new WorkerId("next-worker"));
        List<LogLine> lines = next.logs(id, 0, 100);
        List<String> texts = texts(lines);
        int readBack = indexOf(texts, "[rgrid] attempt 1 wrote on after its worker lost-worker "
            + "was lost; read back from its container:");
        int marker = indexOf(texts, "[rgrid] attempt 1 lost with worker lost-worker (found at ");
        assertThat(readBack).isLessThan(marker);
        assertThat(texts.subList(0, readBack)).containsExactlyInAnyOrder("before 0", "before 1",
            "before 2", "err before ***");
        assertThat(texts.subList(readBack + 1, marker)).containsExactlyInAnyOrder("after 0",
            "after 1", "after 2", "err after ***");
        assertThat(lines.subList(readBack + 1, marker)).filteredOn(l -> l.text().startsWith("err"))
            .extracting(LogLine::stream).containsExactly(LogStream.STDERR);
        assertThat(texts.subList(marker + 1, texts.size())).containsExactlyInAnyOrder("before 0",
            "before 1", "before 2", "err before ***", "after 0", "after 1", "after 2",
            "err after ***");
        assertThat(lines).extracting(LogLine::seq).isSorted().doesNotHaveDuplicates();
        assertThat(texts).noneMatch(t -> t.contains(LostWorker.SECRET));
      }
      assertThat(new Leftovers(engine).list(ofRun)).as("the lost attempt's container").isEmpty();
    } finally {
      worker.destroyForcibly();
    }
  }

  private static List<String> texts(List<LogLine> lines) {
    return lines.stream().map(LogLine::text).toList();
  }

  private static int indexOf(List<String> texts, String prefix) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with '" + prefix + "' in " + texts);
  }
}
