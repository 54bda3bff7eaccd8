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

  /** Releases connections. */
  @Override
  void close();
}
