package dev.rgrid.spi.runtime;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * A runtime's engine answered but refused to create or start a container (a bad setting, a broken
 * engine, a full disk). Core records such a run as failed with {@code start-failed}, a transient
 * failure: a retry may succeed once the cause is gone. When the engine refused the container's
 * settings themselves ({@link #refusedSettings()}: more CPUs than it has, too little memory),
 * starting the same run again cannot succeed, and core does not retry it.
 */
public class ContainerStartException extends BackendUnavailableException {
  /** The name of the container that could not be started. */
  private final String container;
  private final boolean refusedSettings;

  /**
   * @param backend the runtime's name ({@code docker})
   * @param container the name of the container that could not be started
   * @param message what failed, with the engine's own reason
   * @param hint what to do about it
   * @param cause the engine client's error, or {@code null}
   */
  public ContainerStartException(String backend, String container, String message, String hint,
      Throwable cause) {
    this(backend, container, message, hint, false, cause);
  }

  /**
   * As {@link #ContainerStartException(String, String, String, String, Throwable)}, saying
   * whether the engine refused the container's settings (so that no retry can succeed).
   */
  public ContainerStartException(String backend, String container, String message, String hint,
      boolean refusedSettings, Throwable cause) {
    super(backend, message, hint, cause);
    this.container = container;
    this.refusedSettings = refusedSettings;
  }

  /** The name of the container that could not be started. */
  public String container() {
    return container;
  }

  /**
   * Whether the engine refused the container's settings (its resource limits, say): the same run
   * fails the same way every time, so it is not retried.
   */
  public boolean refusedSettings() {
    return refusedSettings;
  }
}
