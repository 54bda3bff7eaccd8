package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RGrid#client(Config)} on the embedded state, and a client that only submits. */
class RGridClientTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path src;

  private Config config() {
    return Config.from(Map.of("RGRID_HOME", home.toString(), "RGRID_RUNTIME", "process"));
  }

  @Test
  void theClientRunsAScriptToSucceededOnTheEmbeddedState() throws Exception {
    Path script = Files.writeString(src.resolve("hello.py"), "print('hello from the client')\n");
    try (RGrid rgrid = RGrid.client(config())) {
      ExecutionRecord done = rgrid.run(RunSpec.builder(script).build()).await(DEADLINE)
          .orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(rgrid.logs(done.id(), 0, 10)).extracting(l -> l.text())
          .containsExactly("hello from the client");
      assertThat(((LocalRGrid) rgrid).operations().liveWorkers()).as("it runs work: it is a live worker")
          .containsExactly(done.workerId());
      Placement placement = rgrid.placement();
      assertThat(placement.mode()).isEqualTo(Placement.Mode.EMBEDDED);
      assertThat(placement.runtime()).hasValueSatisfying(r -> {
        assertThat(r.name()).isEqualTo("process");
        assertThat(r.isolates()).isFalse();
      });
      assertThat(placement.liveWorkers()).hasValue(1);
    }
  }

  @Test
  void aClientThatOnlySubmitsSaysAtOnceThatNoWorkerIsAliveAndAWorkerThatStartsRunsIt()
      throws Exception {
    Path script = Files.writeString(src.resolve("job.py"), "print('done')\n");
    List<String> notices = new CopyOnWriteArrayList<>();
    ExecutionListener listener = new ExecutionListener() {
      @Override
      public void onNotice(String message) {
        notices.add(message);
      }
    };
    try (LocalRGrid client = RGrid.builder().config(config().withLocalWorkers(0)).build()) {
      assertThat(client.operations().liveWorkers()).isEmpty();
      Execution e = client.run(RunSpec.builder(script).listener(listener).build());
      assertThat(notices).singleElement().asString()
          .startsWith("no worker is alive to run " + e.id() + ": it waits in the queue");
      assertThatThrownBy(() -> client.run(RunSpec.builder(script)
          .stdin(new ByteArrayInputStream(new byte[] {1})).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("standard input cannot reach a run that another worker runs");

      WorkerId worker = new WorkerId("the-worker");
      try (LocalRGrid running = RGrid.builder().config(config()).workerId(worker).workers(1)
          .build()) {
        assertThat(client.operations().liveWorkers()).containsExactly(worker);
        ExecutionRecord done = e.await(DEADLINE).orElseThrow();
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.workerId()).isEqualTo(worker);
        notices.clear();
        client.run(RunSpec.builder(script).cache(false).listener(listener).build());
        assertThat(notices).as("a worker is alive: nothing to say").isEmpty();
      }
      assertThat(client.operations().liveWorkers()).as("a worker that stopped leaves at once").isEmpty();
    }
  }

  @Test
  void theListenerOfARunAnotherWorkerRunsHearsAllItsOutputBeforeAwaitReturns() throws Exception {
    Path script = Files.writeString(src.resolve("talk.py"), "import sys\n"
        + "print('one')\nprint('two', file=sys.stderr)\nprint('three')\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> lines = new CopyOnWriteArrayList<>();
    List<ExecutionStatus> statuses = new CopyOnWriteArrayList<>();
    ExecutionListener listener = new ExecutionListener() {
      @Override
      public void onOutput(LogStream stream, byte[] bytes) {
        (stream == LogStream.STDOUT ? out : err).writeBytes(bytes);
      }

      @Override
      public void onLogLine(LogLine line) {
        lines.add(line.stream() + " " + line.text());
      }

      @Override
      public void onStatus(ExecutionRecord record) {
        statuses.add(record.status());
      }
    };
    try (LocalRGrid client = RGrid.builder().config(config().withLocalWorkers(0)).build()) {
      assertThat(client.placement().liveWorkers()).hasValue(0);
      Execution e = client.run(RunSpec.builder(script).cache(false).listener(listener).build());
      assertThat(e).isInstanceOf(FollowedExecution.class);
      Execution quiet = client.run(RunSpec.builder(script).cache(false)
          .listener(new ExecutionListener() {
            @Override
            public void onNotice(String message) {}
          }).build());
      assertThat(quiet).as("a listener of notices only is not followed for")
          .isNotInstanceOf(FollowedExecution.class);
      try (LocalRGrid running = RGrid.builder().config(config()).workers(1).build()) {
        ExecutionRecord done = e.await(DEADLINE).orElseThrow();
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\nthree\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("two\n");
        assertThat(lines).contains("STDOUT one", "STDERR two", "STDOUT three");
        assertThat(statuses).as("the end heard once, last").endsWith(ExecutionStatus.SUCCEEDED)
            .doesNotHaveDuplicates();
        quiet.await(DEADLINE).orElseThrow();
      }
    }
  }
}
