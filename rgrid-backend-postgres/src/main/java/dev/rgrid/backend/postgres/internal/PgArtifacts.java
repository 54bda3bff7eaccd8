package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.ArtifactStore;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.MetadataStore;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The artifacts' part of {@link PgMetadataStore}: rows of the {@code artifacts} table. */
final class PgArtifacts implements ArtifactStore {
  private final Jdbi jdbi;
  private final PgErrors errors;

  PgArtifacts(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public void putArtifacts(ExecutionId id, List<Artifact> artifacts) {
    Objects.requireNonNull(id, "id");
    List<Artifact> all = List.copyOf(artifacts);
    errors.run("recording artifacts of execution " + id, () -> jdbi.useTransaction(h -> {
      // Locking the execution's row makes "none recorded yet" hold until the commit, so of two
      // processes recording artifacts at once exactly one succeeds. NO KEY UPDATE, as in
      // PgExecutions.update, lets log lines go in meanwhile.
      boolean exists = h.createQuery("SELECT 1 FROM executions WHERE id = :id FOR NO KEY UPDATE")
          .bind("id", id.value()).mapTo(Integer.class).findOne().isPresent();
      if (!exists) {
        throw new NotFoundException("no execution " + id, PgExecutions.NO_EXECUTION_HINT);
      }
      boolean recorded = h.createQuery("SELECT 1 FROM artifacts WHERE execution_id = :id LIMIT 1")
          .bind("id", id.value()).mapTo(Integer.class).findOne().isPresent();
      if (recorded) {
        throw new ConflictException("artifacts of execution " + id + " are already recorded");
      }
      if (all.isEmpty()) {
        return;
      }
      PreparedBatch batch = h.prepareBatch("INSERT INTO artifacts (execution_id, path, size,"
          + " blob) VALUES (:execution_id, :path, :size, :blob)");
      for (Artifact a : all) {
        batch.bind("execution_id", id.value()).bind("path", a.path()).bind("size", a.size())
            .bind("blob", a.blob().sha256()).add();
      }
      try {
        batch.execute();
      } catch (JdbiException e) {
        // Thrown inside the transaction, so it rolls back: all the artifacts or none.
        if (PgErrors.isUniqueViolation(e)) {
          throw new ConflictException("two artifacts of execution " + id + " share a path", e);
        }
        throw e;
      }
    }));
  }

  @Override
  public int removeArtifacts(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("removing artifacts of execution " + id, () -> jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM artifacts WHERE execution_id = :id").bind("id", id.value())
            .execute()));
  }

  @Override
  public List<Artifact> artifacts(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("reading artifacts of execution " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT path, size, blob FROM artifacts WHERE execution_id = :id"
                + " ORDER BY path")
            .bind("id", id.value())
            .map((rs, ctx) -> new Artifact(rs.getString("path"), rs.getLong("size"),
                new BlobKey(rs.getString("blob"))))
            .list()));
  }
}
