package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code RGrid.retry}: a new, linked execution; never two for one request. */
class ManualRetryTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path src;
  private RGrid rgrid;
  private Path flag;
  private Path script;

  @BeforeEach
  void open() throws Exception {
    rgrid = RGrid.builder().home(home).build();
    flag = src.resolve("fixed");
    // Fails until the flag file exists: a fault fixed between the run and its retry.
    script = Files.writeString(src.resolve("job.py"), String.join("\n",
        "import os, sys",
        "if not os.path.exists(os.environ['FLAG']):",
        "    print('not yet', file=sys.stderr)",
        "    sys.exit(4)",
        "print('done')",
        ""));
  }

  @AfterEach
  void close() {
    rgrid.close();
  }

  private ExecutionRecord failed() throws Exception {
    ExecutionRecord first = rgrid.run(RunSpec.builder(script).env("FLAG", flag.toString())
        .label("team", "data").build()).await(DEADLINE).orElseThrow();
    assertThat(first.status()).isEqualTo(ExecutionStatus.FAILED);
    return first;
  }

  @Test
  void aRetryIsANewExecutionLinkedToTheOldOne() throws Exception {
    ExecutionRecord first = failed();
    ExecutionRecord again = rgrid.retry(first.id()).await(DEADLINE).orElseThrow();
    assertThat(again.id()).isNotEqualTo(first.id());
    assertThat(again.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(again.retryOf()).isEqualTo(first.id());
    assertThat(again.spec()).isEqualTo(first.spec());
    assertThat(rgrid.execution(first.id()).record().retriedBy()).isEqualTo(again.id());

    Files.writeString(flag, "");
    // Retrying the first one again follows the chain: the failed retry is the one retried.
    Execution third = rgrid.retry(first.id());
    ExecutionRecord fixed = third.await(DEADLINE).orElseThrow();
    assertThat(fixed.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(fixed.retryOf()).isEqualTo(again.id());
    assertThat(third.logs()).extracting(l -> l.text()).containsExactly("done");

    // Now that a retry succeeded, asking again gives that retry: nothing runs twice.
    assertThat(rgrid.retry(first.id()).id()).isEqualTo(fixed.id());
    assertThat(rgrid.retry(again.id()).id()).isEqualTo(fixed.id());
    assertThatThrownBy(() -> rgrid.retry(fixed.id())).isInstanceOf(ConflictException.class)
        .hasMessageContaining("succeeded");
  }

  @Test
  void concurrentRetriesOfOneExecutionMakeOneRetry() throws Exception {
    ExecutionRecord first = failed();
    Files.writeString(flag, "");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Callable<ExecutionId> task = () -> rgrid.retry(first.id()).id();
      List<Future<ExecutionId>> results = pool.invokeAll(java.util.Collections.nCopies(8, task));
      Set<ExecutionId> ids = results.stream().map(f -> {
        try {
          return f.get();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).collect(Collectors.toSet());
      assertThat(ids).hasSize(1);
      ExecutionRecord done = rgrid.execution(ids.iterator().next()).await(DEADLINE)
          .orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    } finally {
      pool.shutdownNow();
    }
    // Only the first run and its one retry exist.
    assertThat(rgrid.list(dev.rgrid.spi.store.ExecutionQuery.latest(10)).items()).hasSize(2);
  }

  @Test
  void onlyEndedExecutionsThatDidNotSucceedCanBeRetried() throws Exception {
    Path sleeper = Files.writeString(src.resolve("sleep.py"), "import time\ntime.sleep(30)\n");
    Execution running = rgrid.run(RunSpec.builder(sleeper).build());
    assertThatThrownBy(() -> rgrid.retry(running.id())).isInstanceOf(ConflictException.class)
        .hasMessageContaining("only an execution that ended");
    running.cancel();
    ExecutionRecord cancelled = running.await(DEADLINE).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(ExecutionStatus.CANCELLED);
    Execution retried = rgrid.retry(cancelled.id());
    assertThat(retried.id()).isNotEqualTo(cancelled.id());
    retried.cancel();
    assertThatThrownBy(() -> rgrid.retry(ExecutionId.generate(java.time.Instant.now(),
        new java.security.SecureRandom()))).isInstanceOf(NotFoundException.class);
  }
}
