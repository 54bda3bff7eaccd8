package dev.rgrid.spi.runtime;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * A runtime's engine answered but refused to create or start a container (a bad setting, a broken
 * engine, a full disk). Core records such a run as failed with {@code start-failed}, a transient
 * failure: a retry may succeed once the cause is gone.
 */
public class ContainerStartException extends BackendUnavailableException {
  /** The name of the container that could not be started. */
  private final String container;

  /**
   * @param backend the runtime's name ({@code docker})
   * @param container the name of the container that could not be started
   * @param message what failed, with the engine's own reason
   * @param hint what to do about it
   * @param cause the engine client's error, or {@code null}
   */
  public ContainerStartException(String backend, String container, String message, String hint,
      Throwable cause) {
    super(backend, message, hint, cause);
    this.container = container;
  }

  /** The name of the container that could not be started. */
  public String container() {
    return container;
  }
}
