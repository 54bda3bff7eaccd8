package dev.rgrid.cli;

import static dev.rgrid.cli.DockerCli.docker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.queue.QueueEntry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rgrid autoscale} as an operator runs it: against a real PostgreSQL queue and a real
 * Swarm service on this machine's engine (a single-node swarm on loopback, made when missing and
 * left in place: {@code SwarmEndToEndTest} may be using it in the other fork).
 */
class AutoscaleEndToEndTest {
  private static final String LABEL = "dev.rgrid.test=autoscale-cli";

  @TempDir static Path root;
  private static EmbeddedPostgres postgres;
  private static String service;

  @BeforeAll
  static void postgresAndASwarmService() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    if (!docker("info", "--format", "{{.Swarm.LocalNodeState}}").equals("active")) {
      docker("swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr",
          "127.0.0.1:2377");
    }
    removeServicesOfThisTest();
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    service = "rgrid-autoscale-test-" + HexFormat.of().formatHex(random);
    docker("service", "create", "--detach", "--quiet", "--name", service, "--label", LABEL,
        "--container-label", LABEL, "--replicas", "0", "rgrid/bash:5", "sleep", "3600");
  }

  @AfterAll
  static void removeWhatTheTestMade() throws Exception {
    try {
      removeServicesOfThisTest();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      // The tasks' containers go after their service, asynchronously.
      while (!docker("ps", "-aq", "--filter", "label=" + LABEL).isEmpty()) {
        assertThat(System.nanoTime()).as("containers of the service gone").isLessThan(deadline);
        Thread.sleep(100);
      }
    } finally {
      postgres.close();
    }
  }

  private static void removeServicesOfThisTest() throws Exception {
    for (String id : docker("service", "ls", "-q", "--filter", "label=" + LABEL).lines()
        .toList()) {
      docker("service", "rm", id);
    }
  }

  private static String replicas() throws Exception {
    return docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}",
        service);
  }

  @Test
  void scalesTheServiceUpForTheBacklogAtOnceAndKeepsMachinesWhoseHourIsPaid() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    Instant now = Instant.now();
    try (PostgresBackend backend = PostgresBackend.open(PostgresSettings.of(url, "postgres",
        null))) {
      for (int i = 0; i < 5; i++) {
        backend.queue().enqueue(new QueueEntry(ExecutionId.generate(now, new Random(i)), null,
            now, 1), now, Duration.ZERO);
      }
    }
    try (Cli cli = new Cli(root.resolve("up")).env("RGRID_DB_URL", url)
        .env("RGRID_DB_USER", "postgres")) {
      Cli.Result up = cli.run("autoscale", "--service", service, "--once", "--per-worker", "2",
          "--max", "3");
      up.requireSuccess();
      assertThat(up.stdout()).startsWith("0 -> 3 up_for_backlog: 5 waiting, 0 running");
      assertThat(replicas()).isEqualTo("3");

      try (Connection c = postgres.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("DELETE FROM queue");
      }
      Cli.Result hold = cli.run("autoscale", "--service", service, "--once", "--per-worker",
          "2", "--max", "3");
      hold.requireSuccess();
      // The three machines started just now: their hour is paid, so they stay.
      assertThat(hold.stdout()).startsWith("3 -> 3 hold_paid_hour: 0 waiting, 0 running")
          .contains("3 surplus kept");
      assertThat(replicas()).isEqualTo("3");
    }
  }

  @Test
  void withoutTheSharedQueueOrWithBadSettingsItSaysWhatToDo() throws Exception {
    try (Cli cli = new Cli(root.resolve("bad"))) {
      Cli.Result noQueue = cli.run("autoscale", "--service", service);
      assertThat(noQueue.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(noQueue.errorLines()).singleElement().asString().contains("RGRID_DB_URL");
      String url = postgres.getJdbcUrl("postgres", "postgres");
      cli.env("RGRID_DB_URL", url).env("RGRID_DB_USER", "postgres");
      Cli.Result bounds = cli.run("autoscale", "--service", service, "--min", "5", "--max", "2");
      assertThat(bounds.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(bounds.errorLines()).singleElement().asString().contains("min 5, max 2");
      Cli.Result kind = cli.run("autoscale", "--service", service, "--scaler", "nope", "--once");
      assertThat(kind.errorLines()).singleElement().asString()
          .contains("--scaler nope is not known; known: swarm");
      Cli.Result missing = cli.run("autoscale", "--service", "rgrid-no-such-" + service,
          "--once");
      assertThat(missing.exitCode()).isNotZero();
      assertThat(missing.errorLines()).singleElement().asString()
          .contains("there is no swarm service rgrid-no-such-" + service);
    }
  }

  @Test
  void theLoopLogsEachDecisionWithItsReasonServesItsMetricsAndStopsOnSigterm() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    String url = postgres.getJdbcUrl("postgres", "postgres");
    try (Cli cli = new Cli(root.resolve("loop")).env("RGRID_DB_URL", url)
        .env("RGRID_DB_USER", "postgres")) {
      Cli.Running loop = cli.start("autoscale", "--service", service, "--interval", "1s",
          "--metrics-port", String.valueOf(port));
      java.util.regex.Pattern decision = java.util.regex.Pattern.compile("autoscale swarm "
          + "service " + service + ": \\d+ -> \\d+ replicas \\((steady|hold_paid_hour)\\): "
          + "0 waiting, 0 running, .*");
      long deadline = System.nanoTime() + Cli.DEADLINE.toNanos();
      while (loop.stderrSoFar().lines().noneMatch(l -> decision.matcher(l).find())) {
        assertThat(loop.isAlive()).as(loop.stderrSoFar()).isTrue();
        assertThat(System.nanoTime()).as("a decision logged: " + loop.stderrSoFar())
            .isLessThan(deadline);
        Thread.sleep(50);
      }
      java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
              + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("rgrid_autoscale_desired_replicas ",
          "rgrid_autoscale_decisions_total{reason=\"up_for_backlog\"}");
      assertThat(metrics.body().lines().filter(l -> l.matches(
          "rgrid_autoscale_decisions_total\\{reason=\"(steady|hold_paid_hour)\"} [1-9].*")))
          .isNotEmpty();
      ProcessHandle.of(loop.pid()).orElseThrow().destroy(); // SIGTERM
      loop.await(Duration.ofSeconds(30));
    }
  }
}
