package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.io.ByteArrayInputStream;
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
      assertThat(((LocalRGrid) rgrid).liveWorkers()).as("it runs work: it is a live worker")
          .containsExactly(done.workerId());
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
      assertThat(client.liveWorkers()).isEmpty();
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
        assertThat(client.liveWorkers()).containsExactly(worker);
        ExecutionRecord done = e.await(DEADLINE).orElseThrow();
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.workerId()).isEqualTo(worker);
        notices.clear();
        client.run(RunSpec.builder(script).cache(false).listener(listener).build());
        assertThat(notices).as("a worker is alive: nothing to say").isEmpty();
      }
      assertThat(client.liveWorkers()).as("a worker that stopped leaves at once").isEmpty();
    }
  }
}
