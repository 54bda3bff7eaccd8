package dev.rgrid.backend.docker;

/**
 * The Docker engine answered but refused to create or start a container (a bad setting, a broken
 * engine, a full disk): the runtime SPI's {@link dev.rgrid.spi.runtime.ContainerStartException}
 * for the backend {@code docker}. Core records the run as failed with {@code start-failed}, which
 * a retry may cure once the cause is fixed, unless the engine refused the container's settings.
 */
public class ContainerStartException extends dev.rgrid.spi.runtime.ContainerStartException {
  /**
   * @param container the container's name
   * @param message what failed, with the engine's own reason
   * @param hint what to do about it
   * @param cause docker-java's error
   */
  public ContainerStartException(String container, String message, String hint,
      Throwable cause) {
    this(container, message, hint, false, cause);
  }

  /**
   * As {@link #ContainerStartException(String, String, String, Throwable)}, saying whether the
   * engine refused the container's settings (an HTTP 400 answer), which no retry cures.
   */
  public ContainerStartException(String container, String message, String hint,
      boolean refusedSettings, Throwable cause) {
    super("docker", container, message, hint, refusedSettings, cause);
  }
}
