package dev.rgrid.backend.postgres.internal;

import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.store.sql.ComposedMetadataStore;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@link MetadataStore} on PostgreSQL, shared by any number of processes: one class per
 * concern ({@link PgExecutions}, {@link PgLogs}, {@link PgArtifacts}, {@link PgCacheEntries},
 * {@link PgLimits}, {@link PgBatches}, {@link PgSecrets}) joined by {@link ComposedMetadataStore}. Every driver
 * error leaves as the SPI's exception (see {@link PgErrors}). The connection pool belongs to the
 * backend, so closing the store only stops its listening for changes.
 */
public final class PgMetadataStore {
  /** Announces an execution (bound as {@code :id}) on the change channel. */
  private static final String NOTIFY = "SELECT pg_notify('" + PgExecutions.CHANGES + "', :id)";

  private PgMetadataStore() {}

  /** A store on the migrated database of {@code jdbi}; {@code settings} name it in errors. */
  public static MetadataStore open(Jdbi jdbi, PostgresSettings settings) {
    Objects.requireNonNull(jdbi, "jdbi");
    PgErrors errors = new PgErrors(Objects.requireNonNull(settings, "settings"));
    PgExecutions executions = new PgExecutions(jdbi, errors, settings);
    return new ComposedMetadataStore(executions, new PgLogs(jdbi, errors, NOTIFY),
        new PgArtifacts(jdbi, errors), new PgCacheEntries(jdbi, errors),
        new PgLimits(jdbi, errors), new PgBatches(jdbi, errors), new PgSecrets(jdbi, errors),
        new PgRetention(jdbi, errors), new PgAlerts(jdbi, errors), executions::close);
  }
}
