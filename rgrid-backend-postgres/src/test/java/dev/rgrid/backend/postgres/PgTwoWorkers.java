package dev.rgrid.backend.postgres;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.WorkerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh PostgreSQL database with two workers ({@code worker-0}, {@code worker-1}, 2 slots
 * each, the process runtime) and a client that only submits, each on connections of its own and
 * sharing one blobs directory. The workers poll only every ten minutes, so a run they start
 * within a test's deadline was announced to them (released by its parents' end, or newly
 * queued), never found by polling. Closed in the reverse order of opening.
 */
final class PgTwoWorkers implements AutoCloseable {
  /** Submits and reads; runs nothing. */
  final LocalRGrid client;
  /** The two workers, {@code worker-0} first. */
  final List<LocalRGrid> workers = new ArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  private PgTwoWorkers(Path tmp) throws IOException {
    PostgresSettings db = PgTests.freshDatabase();
    Path blobs = Files.createDirectories(tmp.resolve("blobs"));
    try {
      for (int i = 0; i < 2; i++) {
        PostgresBackend pg = PostgresBackend.open(db);
        open.add(pg);
        LocalRGrid worker = RGrid.builder().home(tmp.resolve("worker-" + i))
            .store(pg.metadataStore()).queue(pg.queue()).blobsDirectory(blobs).engine("process")
            .workers(2).workerId(new WorkerId("worker-" + i)).pollInterval(Duration.ofMinutes(10))
            .build();
        open.add(worker);
        workers.add(worker);
      }
      PostgresBackend clientPg = PostgresBackend.open(db);
      open.add(clientPg);
      client = RGrid.builder().home(tmp.resolve("client")).store(clientPg.metadataStore())
          .queue(clientPg.queue()).blobsDirectory(blobs).engine("process").workers(0).build();
      open.add(client);
    } catch (RuntimeException e) {
      closeQuietly(e);
      throw e;
    }
  }

  /** Opens the database, the workers and the client, their homes under {@code tmp}. */
  static PgTwoWorkers open(Path tmp) throws IOException {
    return new PgTwoWorkers(tmp);
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void closeQuietly(RuntimeException cause) {
    try {
      close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }
}
