package dev.rgrid.core.internal.store;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ArtifactStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The artifacts of {@link SqliteMetadataStore}: rows of {@code artifacts}. */
final class SqliteArtifacts implements ArtifactStore {
  private final SqliteView view;

  /** Works on the database of {@code view}, honouring that view's closing. */
  SqliteArtifacts(SqliteView view) {
    this.view = view;
  }

  @Override
  public void putArtifacts(ExecutionId id, List<Artifact> artifacts) {
    Objects.requireNonNull(id, "id");
    List<Artifact> all = List.copyOf(artifacts);
    view.db().write("recording artifacts of execution " + id, c -> {
      SqliteExecutions.requireExists(c, id);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM artifacts WHERE execution_id = ? LIMIT 1")) {
        ps.setString(1, id.value());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new ConflictException("artifacts of execution " + id + " are already recorded");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO artifacts (execution_id, path, size, blob) VALUES (?, ?, ?, ?)")) {
        for (Artifact a : all) {
          ps.setString(1, id.value());
          ps.setString(2, a.path());
          ps.setLong(3, a.size());
          ps.setString(4, a.blob().sha256());
          ps.addBatch();
        }
        ps.executeBatch();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("two artifacts of execution " + id + " share a path", e);
        }
        throw e;
      }
      return null;
    });
  }

  @Override
  public int removeArtifacts(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return view.db().write("removing artifacts of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM artifacts WHERE execution_id = ?")) {
        ps.setString(1, id.value());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<Artifact> artifacts(ExecutionId id) {
    Objects.requireNonNull(id, "id");
    return view.db().read("reading artifacts of execution " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT path, size, blob FROM artifacts WHERE execution_id = ? ORDER BY path")) {
        ps.setString(1, id.value());
        List<Artifact> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Artifact(rs.getString(1), rs.getLong(2), new BlobKey(rs.getString(3))));
          }
        }
        return out;
      }
    });
  }
}
