package dev.rgrid.spi.store;

import dev.rgrid.spi.queue.ExecutionQueue;

/**
 * A metadata store and queue that several processes share (a database server), opened by a
 * {@link SharedStateProvider}; closing it releases its connections.
 */
public interface SharedState extends AutoCloseable {
  /** The metadata store. */
  MetadataStore metadataStore();

  /** The execution queue. */
  ExecutionQueue queue();

  /**
   * Accounts and API keys, in the same database; what a server needs. The default says the
   * backend has none.
   *
   * @throws UnsupportedOperationException when the backend keeps no accounts
   */
  default dev.rgrid.spi.account.AccountStore accounts() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no accounts");
  }

  /** Releases connections. */
  @Override
  void close();
}
