package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Execution;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client across server restarts: the server stops and starts again on the same address
 * over the same state while requests and live logs are under way.
 */
class RemoteRGridRestartTest {
  // Ten restarts, as the issue asks of `rgrid logs -f` (which is this followLogs).
  private static final int PHASES = 11;
  private static final int LINES_PER_PHASE = 20;

  @TempDir Path home;
  @TempDir Path work;
  TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start(home);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * The script prints 20 lines, then waits for a gate file before the next 20, 220 in all. Before
   * each gate opens the server stops; the script then prints the next lines while no server
   * listens, and only then does the server start again. The follower must resume from its
   * cursor each time: every line once, in order.
   */
  @Test
  void followLogsDeliversEveryLineOnceAcrossServerRestarts() throws Exception {
    Path gates = Files.createDirectories(work.resolve("gates"));
    Path script = Files.writeString(work.resolve("phases.py"), String.join("\n",
        "import os, time",
        "gates = os.environ['GATES']",
        "for phase in range(" + PHASES + "):",
        "    for i in range(" + LINES_PER_PHASE + "):",
        "        print('line', phase * " + LINES_PER_PHASE + " + i + 1, flush=True)",
        "        time.sleep(0.002)",
        "    if phase < " + (PHASES - 1) + ":",
        "        gate = os.path.join(gates, 'go%d' % phase)",
        "        while not os.path.exists(gate):",
        "            time.sleep(0.01)",
        ""));
    List<LogLine> got = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger streams = new AtomicInteger();
    OkHttpClient counting = new OkHttpClient.Builder().addInterceptor(chain -> {
      if (chain.request().url().encodedPath().endsWith("/logs/stream")) {
        streams.incrementAndGet();
      }
      return chain.proceed(chain.request());
    }).build();
    try (RemoteRGrid client = RemoteRGrid.builder(server.uri(), server.key)
        .httpClient(counting).build()) {
      Execution e = client.run(RunSpec.builder(script).env("GATES", gates.toString())
          .cache(false).build());
      CompletableFuture<ExecutionRecord> followed = CompletableFuture.supplyAsync(() -> {
        try {
          return client.followLogs(e.id(), 0, got::add);
        } catch (InterruptedException ex) {
          throw new IllegalStateException(ex);
        }
      });

      for (int phase = 0; phase < PHASES - 1; phase++) {
        int seen = (phase + 1) * LINES_PER_PHASE;
        TestServer.until(Duration.ofSeconds(60), seen + " lines delivered",
            () -> got.size() >= seen);
        server.stop();
        Files.createFile(gates.resolve("go" + phase));
        // Lines stored while nobody listens: the follower must fetch them after reconnecting.
        TestServer.until(Duration.ofSeconds(60), "the script to go on", () ->
            server.rgrid.logs(e.id(), seen, 20).size() >= 20);
        server.start();
      }
      ExecutionRecord end = followed.get(2, TimeUnit.MINUTES);

      assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(streams.get()).as("log stream connections").isGreaterThanOrEqualTo(PHASES);
      int total = PHASES * LINES_PER_PHASE;
      assertThat(got).extracting(LogLine::seq).containsExactlyElementsOf(
          IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
      assertThat(got).extracting(LogLine::text).containsExactlyElementsOf(
          IntStream.rangeClosed(1, total).mapToObj(i -> "line " + i).toList());
    }
  }

  @Test
  void retriesARequestUntilTheServerIsBack() throws Exception {
    CountDownLatch refused = new CountDownLatch(1);
    OkHttpClient watching = new OkHttpClient.Builder().addInterceptor(chain -> {
      try {
        return chain.proceed(chain.request());
      } catch (java.io.IOException e) {
        refused.countDown();
        throw e;
      }
    }).build();
    try (RemoteRGrid client = RemoteRGrid.builder(server.uri(), server.key)
        .httpClient(watching).build()) {
      // Answered once: a server this client has reached is waited for when it goes away.
      assertThat(client.list(ExecutionQuery.latest(1)).items()).isEmpty();
      server.stop();
      CompletableFuture<Integer> listed = CompletableFuture.supplyAsync(
          () -> client.list(ExecutionQuery.latest(10)).items().size());
      assertThat(refused.await(60, TimeUnit.SECONDS)).as("a refused first try").isTrue();
      assertThat(listed).isNotDone();

      server.start();

      assertThat(listed.get(2, TimeUnit.MINUTES)).isZero();
    }
  }

  @Test
  void aServerThatNeverAnsweredIsGivenUpOnAtTheReachDeadlineWithAnUnreachableError()
      throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    java.net.URI nobody = java.net.URI.create("http://127.0.0.1:" + port);
    AtomicInteger tries = new AtomicInteger();
    OkHttpClient counting = new OkHttpClient.Builder().addInterceptor(chain -> {
      tries.incrementAndGet();
      return chain.proceed(chain.request());
    }).build();
    try (RemoteRGrid client = RemoteRGrid.builder(nobody, server.key).httpClient(counting)
        .initialBackoff(Duration.ofMillis(100)).reachDeadline(Duration.ofSeconds(1)).build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> client.list(ExecutionQuery.latest(1)))
          .isInstanceOf(dev.rgrid.core.ServerUnreachableException.class)
          .hasMessageContaining("cannot reach the RGrid server at " + nobody)
          .hasMessageNotContaining(server.key);
      // Tried again within the reach deadline (waits of 100, 200 and 400 ms at most), not for
      // the two minutes of the retry deadline.
      assertThat(tries.get()).isBetween(1, 4);
    }
  }
}
