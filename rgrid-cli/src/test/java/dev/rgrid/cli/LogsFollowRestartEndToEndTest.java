package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 through the real processes: {@code rgrid logs -f} keeps following while {@code rgrid
 * server} is stopped and started again ten times on the same port, and prints every line of the
 * script exactly once, in order.
 *
 * <p>The state is a real PostgreSQL and a blob directory shared by a non-embedded {@code rgrid
 * server} and a separate {@code rgrid worker}: only the server restarts, so the script keeps
 * running (with {@code --embedded} the workers, and the script, would die with the server).
 */
class LogsFollowRestartEndToEndTest {
  private static final int RESTARTS = 10;
  private static final int STAGES = RESTARTS + 1;
  private static final int LINES_PER_STAGE = 5;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Pattern SERVING =
      Pattern.compile("serving the RGrid API on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path root;

  @Test
  void followsEveryLineOnceInOrderWhileTheServerRestartsTenTimes() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      // By address rather than getJdbcUrl's "localhost": the test talks to 127.0.0.1 only.
      String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
      Path blobs = Files.createDirectories(root.resolve("blobs"));
      Path gates = Files.createDirectories(root.resolve("gates"));
      Cli admin = sharedState(new Cli(root.resolve("server")), url, blobs);
      Cli workers = sharedState(new Cli(root.resolve("worker")), url, blobs);
      Cli user = new Cli(root.resolve("user"));
      // The test reads the stored lines straight from the shared store, to know when the script
      // has printed while no server listens; it runs nothing itself (no workers).
      try (admin; workers; user; LocalRGrid state = RGrid.builder()
          .home(root.resolve("observer-home")).sharedState(url, "postgres", "postgres")
          .blobsDirectory(blobs).engine("process").workers(0).build()) {
        admin.runFromDevNull("admin", "account", "create", "team").requireSuccess();
        String key = admin.runFromDevNull("admin", "key", "create", "team").requireSuccess()
            .stdout().trim();
        Cli.Running worker = workers.start("worker", "--concurrency", "1", "--id", "steady");
        Cli.Running server = startServer(admin, 0);
        int port = port(server);
        user.env("RGRID_URL", "http://127.0.0.1:" + port).env("RGRID_API_KEY", key);

        user.file("stages.py", stagedScript());
        Cli.Result submitted = user.runFromDevNull("run", "--detach", "--no-cache", "--no-deps",
            "-e", "GATES=" + gates, "stages.py");
        assertThat(submitted.exitCode()).as(submitted.describe()).isZero();
        String id = submitted.stdout().trim();
        ExecutionId executionId = ExecutionId.of(id);

        List<String> expected = IntStream.rangeClosed(1, STAGES * LINES_PER_STAGE)
            .mapToObj(i -> "line " + i).toList();
        Cli.Running follower = user.start("logs", "-f", id);
        long started = System.nanoTime();
        for (int round = 0; round < RESTARTS; round++) {
          int shown = (round + 1) * LINES_PER_STAGE;
          Cli.await(shown + " lines on the stdout of `rgrid logs -f`", DEADLINE,
              () -> printed(follower).size() >= shown || !follower.isAlive());
          assertThat(follower.isAlive()).as(follower.stderrSoFar()).isTrue();

          stop(server, round);
          Files.createFile(gates.resolve("open-" + round));
          // The next stage is stored while no server listens: the follower can only get it by
          // reconnecting after the restart, from the last line it printed.
          Cli.await("stage " + (round + 1) + " stored while the server is down", DEADLINE,
              () -> state.logs(executionId, shown, LINES_PER_STAGE).size() >= LINES_PER_STAGE
                  || !worker.isAlive());
          assertThat(worker.isAlive()).as(worker.stderrSoFar()).isTrue();
          // Exactly the lines so far (a gap or duplicate at the last reconnection shows here),
          // and none of the next stage: it can only come from the server being started next.
          assertThat(printed(follower)).as("printed before restart %d", round + 1)
              .containsExactlyElementsOf(expected.subList(0, shown));

          server = startServer(admin, port);
          assertThat(port(server)).isEqualTo(port);
          System.out.printf("restart %d done after %d ms%n", round + 1,
              Duration.ofNanos(System.nanoTime() - started).toMillis());
        }

        Cli.Result followed = follower.await(DEADLINE);
        System.out.printf("followed to the end after %d ms%n",
            Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertThat(followed.exitCode()).as(followed.describe()).isZero();
        // Exactly these lines, in this order: a gap or a duplicate at any reconnection fails.
        assertThat(followed.stdout().lines().toList()).as(followed.describe())
            .containsExactlyElementsOf(expected);
        assertThat(followed.stderr()).contains(id + " succeeded");
        // Reconnecting is the client's business: a restart is not an error to report.
        assertThat(followed.errorLines()).isEmpty();
        stop(server, 0);
      }
    }
  }

  /** Points a CLI at the shared PostgreSQL and blob directory. */
  private static Cli sharedState(Cli cli, String url, Path blobs) {
    return cli.env("RGRID_DB_URL", url).env("RGRID_DB_USER", "postgres")
        .env("RGRID_DB_PASSWORD", "postgres").env("RGRID_BLOBS_DIR", blobs.toString());
  }

  /**
   * Stage 0 prints at once; each later stage waits for the gate file the test creates after
   * stopping the server, so the test alone decides when lines appear. The script gives up by
   * itself after five minutes, so a failed test leaves nothing waiting forever.
   */
  private static String stagedScript() {
    return String.join("\n",
        "import os, sys, time",
        "gates = os.environ['GATES']",
        "give_up = time.monotonic() + 300",
        "for stage in range(" + STAGES + "):",
        "    if stage > 0:",
        "        gate = os.path.join(gates, 'open-%d' % (stage - 1))",
        "        while not os.path.exists(gate):",
        "            if time.monotonic() > give_up:",
        "                sys.exit('no gate ' + gate)",
        "            time.sleep(0.01)",
        "    for i in range(" + LINES_PER_STAGE + "):",
        "        print('line', stage * " + LINES_PER_STAGE + " + i + 1, flush=True)",
        "");
  }

  /** {@code rgrid server} (not embedded: it runs no work) on {@code port}, once it listens. */
  private static Cli.Running startServer(Cli cli, int port) {
    Cli.Running server = cli.start("server", "--port", Integer.toString(port));
    Cli.await("the server to listen", DEADLINE,
        () -> SERVING.matcher(server.stderrSoFar()).find() || !server.isAlive());
    assertThat(server.isAlive()).as(server.stderrSoFar()).isTrue();
    return server;
  }

  private static int port(Cli.Running server) {
    Matcher m = SERVING.matcher(server.stderrSoFar());
    assertThat(m.find()).as(server.stderrSoFar()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /**
   * Stops the server and waits until it is gone. Rounds alternate between SIGTERM (the server
   * closes its sockets: the client sees the stream closed) and SIGKILL (a crash: the client sees
   * the connection fail), the two ways a follower loses its stream.
   */
  private static void stop(Cli.Running server, int round) {
    ProcessHandle process = ProcessHandle.of(server.pid()).orElseThrow();
    if (round % 2 == 0) {
      process.destroy();
    } else {
      process.destroyForcibly();
    }
    server.await(DEADLINE);
  }

  /** The complete lines (ended by a newline) the process has printed so far. */
  private static List<String> printed(Cli.Running process) {
    String out = process.stdoutSoFar();
    return out.substring(0, out.lastIndexOf('\n') + 1).lines().toList();
  }
}
