package dev.rgrid.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL restarted in the middle of a batch: the worker reconnects and the batch completes. */
class PgRestartTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path dir;

  private EmbeddedPostgres start(Path data, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setPort(port).start();
  }

  @Test
  void aBatchCompletesAcrossADatabaseRestart() throws Exception {
    Path data = dir.resolve("pgdata");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = start(data, port);
    try {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE restart");
      }
      PostgresSettings db = PostgresSettings.of(pg.getJdbcUrl("postgres", "restart"), "postgres",
          "postgres").withConnectTimeout(Duration.ofSeconds(2));
      Path src = Files.createDirectories(dir.resolve("src"));
      Path script = Files.writeString(src.resolve("slow.py"),
          "import sys, time\ntime.sleep(0.2)\nprint(open(sys.argv[1]).read())\n");
      for (int i = 0; i < 16; i++) {
        Files.writeString(src.resolve(String.format("in-%02d.txt", i)), "input " + i);
      }
      try (PostgresBackend backend = PostgresBackend.open(db);
          LocalRGrid rgrid = RGrid.builder().home(dir.resolve("home")).store(backend.metadataStore())
              .queue(backend.queue()).engine("process").workers(2)
              .lease(Duration.ofSeconds(2)).build()) {
        Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
            .build()).glob("in-*.txt").parallel(2).build());
        await(() -> batch.progress().ended() >= 3);
        pg.close();
        pg = start(data, port);

        BatchProgress done = batch.await(DEADLINE).orElseThrow();
        List<ExecutionRecord> all = rgrid.list(new ExecutionQuery(Set.of(), Map.of(),
            batch.id().value(), null, 100)).items();
        assertThat(done.succeeded()).as(all.stream().filter(r -> r.status()
            != ExecutionStatus.SUCCEEDED).map(r -> r.id() + " " + r.status() + " "
            + r.failure() + " " + r.transitions()).toList().toString()).isEqualTo(16);
        assertThat(all).hasSize(16).allSatisfy(r ->
            assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED));
        assertThat(backend.queue().depth()).isZero();
      }
    } finally {
      pg.close();
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + DEADLINE);
      }
      Thread.sleep(10);
    }
  }
}
