package dev.rgrid.spi.runtime;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * Makes a {@link ContainerRuntime} available for discovery with {@link java.util.ServiceLoader},
 * so that the embedded default and the CLI can use an engine (Docker) when it answers, without
 * core depending on the backend. Register implementations in {@code
 * META-INF/services/dev.rgrid.spi.runtime.ContainerRuntimeProvider}.
 */
public interface ContainerRuntimeProvider {

  /** The runtime's name as users choose it ({@code docker}). */
  String name();

  /** Preference when RGrid picks a runtime by itself: the highest that answers wins. */
  int priority();

  /**
   * Creates the runtime, checking that its engine answers.
   *
   * @throws BackendUnavailableException when it does not, naming the endpoint tried and how to
   *     fix it
   */
  ContainerRuntime create();
}
