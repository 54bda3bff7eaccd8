package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * Durable state of executions and what hangs off them: the records ({@link ExecutionStore}),
 * their log lines ({@link LogStore}) and artifacts ({@link ArtifactStore}), the result cache
 * ({@link CacheEntryStore}), spending and its limits ({@link SpendingStore}), batches ({@link
 * BatchStore}), encrypted secrets ({@link SecretStore}), retention ({@link
 * RetentionStore}) and alert webhooks with their outbox ({@link AlertStore}). One backend
 * implements them all on one database, since they refer to each other's rows; code that needs
 * one concern takes that interface. Safe for use by many threads and, for shared backends, many
 * processes. Every method may throw {@link BackendUnavailableException}.
 * The contract kit has one abstract test class per concern, in {@code dev.rgrid.spi.tck}.
 */
public interface MetadataStore extends ExecutionStore, LogStore, ArtifactStore, CacheEntryStore,
    SpendingStore, BatchStore, SecretStore, RetentionStore, AlertStore, AutoCloseable {

  /** Releases connections; the default does nothing. */
  @Override
  default void close() {}
}
