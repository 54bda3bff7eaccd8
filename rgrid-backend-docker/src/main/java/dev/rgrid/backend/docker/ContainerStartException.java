package dev.rgrid.backend.docker;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * The Docker engine answered but refused to create or start a container (a bad setting, a broken
 * engine, a full disk). It is a {@link BackendUnavailableException} for the backend {@code docker}:
 * core treats it like any engine failure, and a retry may help once the cause is fixed.
 */
public class ContainerStartException extends BackendUnavailableException {
  private final String container;

  /**
   * @param container the container's name
   * @param message what failed, with the engine's own reason
   * @param hint what to do about it
   * @param cause docker-java's error
   */
  public ContainerStartException(String container, String message, String hint,
      Throwable cause) {
    super("docker", message, hint, cause);
    this.container = container;
  }

  /** The name of the container that could not be started. */
  public String container() {
    return container;
  }
}
