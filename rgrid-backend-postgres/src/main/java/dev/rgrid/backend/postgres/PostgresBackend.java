package dev.rgrid.backend.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rgrid.backend.postgres.internal.PgAccounts;
import dev.rgrid.backend.postgres.internal.PgErrors;
import dev.rgrid.backend.postgres.internal.PgExecutionQueue;
import dev.rgrid.backend.postgres.internal.PgMetadataStore;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.MetadataStore;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;

/**
 * RGrid's shared state on PostgreSQL: the {@link MetadataStore} and the {@link ExecutionQueue} of
 * any number of workers and clients. Opening it connects (a pool of connections) and applies the
 * versioned migrations that are missing, each once, even when several processes start together.
 *
 * <pre>{@code
 * try (PostgresBackend pg = PostgresBackend.open(PostgresSettings.of(url, user, password))) {
 *   RGrid rgrid = RGrid.builder().store(pg.metadataStore()).queue(pg.queue()).build();
 * }
 * }</pre>
 */
public final class PostgresBackend implements dev.rgrid.spi.store.SharedState {
  /** Where the migrations are, on the class path. */
  static final String MIGRATIONS = "classpath:dev/rgrid/backend/postgres/migration";

  private final PostgresSettings settings;
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final MetadataStore store;
  private final PgExecutionQueue queue;
  private final PgAccounts accounts;

  private PostgresBackend(PostgresSettings settings, HikariDataSource pool) {
    this.settings = settings;
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
    this.store = PgMetadataStore.open(jdbi, settings);
    this.queue = new PgExecutionQueue(jdbi, settings);
    this.accounts = new PgAccounts(jdbi, settings);
  }

  /**
   * Connects to the database of {@code settings} and brings its schema up to date.
   *
   * @throws BackendUnavailableException naming the database (never the password) and saying
   *     which of these it is, with a hint: it cannot be reached, refuses the credentials, does
   *     not exist, or its schema cannot be migrated
   */
  public static PostgresBackend open(PostgresSettings settings) {
    Objects.requireNonNull(settings, "settings");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setConnectionTimeout(Math.max(250, settings.connectTimeout().toMillis()));
    config.setPoolName("rgrid-postgres");
    config.setAutoCommit(true);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      // No server, refused credentials and a missing database each get their own message.
      throw PgErrors.opening(settings, "connecting", e);
    }
    try {
      Flyway.configure().dataSource(pool).locations(MIGRATIONS)
          .table("rgrid_schema_history").load().migrate();
      return new PostgresBackend(settings, pool);
    } catch (FlywayException e) {
      pool.close();
      throw PgErrors.opening(settings, "bringing the schema up to date", e);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** The metadata store. */
  @Override
  public MetadataStore metadataStore() {
    return store;
  }

  /** The execution queue. */
  @Override
  public ExecutionQueue queue() {
    return queue;
  }

  /** Accounts and API keys, in the same database. */
  @Override
  public AccountStore accounts() {
    return accounts;
  }

  /** The settings it was opened with. */
  public PostgresSettings settings() {
    return settings;
  }

  /** Jdbi on the pool, for the package's own tests and tools. */
  Jdbi jdbi() {
    return jdbi;
  }

  /** Stops listening for queue changes and closes the pool. */
  @Override
  public void close() {
    queue.close();
    store.close();
    pool.close();
  }
}
