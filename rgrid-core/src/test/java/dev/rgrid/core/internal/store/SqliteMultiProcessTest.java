package dev.rgrid.core.internal.store;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.tck.Fixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs claiming from one database file. */
class SqliteMultiProcessTest {
  @TempDir
  Path dir;

  @Test
  void twoProcessesClaimingFromOneFileNeverTakeTheSameEntry() throws Exception {
    Path file = dir.resolve("rgrid.db");
    Instant now = T0.plusSeconds(1);
    int entries = 1000;
    Set<ExecutionId> queued = new HashSet<>();
    try (SqliteDatabase db = SqliteDatabase.open(file); ExecutionQueue queue = db.queue()) {
      for (int i = 0; i < entries; i++) {
        ExecutionId id = Fixtures.id(T0.plusMillis(i));
        queue.enqueue(new QueueEntry(id, null, T0, 1), T0, Duration.ofMinutes(5));
        queued.add(id);
      }

      Path errors = dir.resolve("child.err");
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"),
          ClaimingProcess.class.getName(), file.toString(), "other-process", now.toString())
          .redirectError(errors.toFile())
          .start();
      try {
        CountDownLatch ready = new CountDownLatch(1);
        List<String> childLines = new ArrayList<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
          try (BufferedReader out = new BufferedReader(new InputStreamReader(
              child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
              synchronized (childLines) {
                childLines.add(line);
              }
              if (line.equals("READY")) {
                ready.countDown();
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        assertThat(ready.await(60, TimeUnit.SECONDS))
            .as("child ready; its stderr: %s", Files.exists(errors) ? Files.readString(errors) : "")
            .isTrue();

        ConcurrentLinkedQueue<ExecutionId> mine = new ConcurrentLinkedQueue<>();
        List<Callable<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          WorkerId worker = new WorkerId("this-process-" + w);
          workers.add(() -> {
            List<Claim> got;
            while (!(got = queue.claim(worker, 1, now, Duration.ofMinutes(5))).isEmpty()) {
              got.forEach(c -> mine.add(c.executionId()));
            }
            return null;
          });
        }
        Writer go = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        go.write("go\n");
        go.flush();
        SqliteDatabaseTest.runTogether(workers);

        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        reader.get(30, TimeUnit.SECONDS);
        assertThat(child.exitValue()).as("child exit; stderr: %s", Files.readString(errors))
            .isZero();
        List<ExecutionId> theirs = new ArrayList<>();
        for (String line : childLines) {
          if (line.startsWith("CLAIMED ")) {
            theirs.add(ExecutionId.of(line.substring("CLAIMED ".length())));
          }
        }
        assertThat(childLines).last().isEqualTo("DONE");
        List<ExecutionId> all = new ArrayList<>(mine);
        all.addAll(theirs);
        assertThat(all).doesNotHaveDuplicates().hasSize(entries);
        assertThat(new HashSet<>(all)).isEqualTo(queued);
        assertThat(queue.depth()).isZero();
      } finally {
        child.destroyForcibly();
      }
    }
  }
}
