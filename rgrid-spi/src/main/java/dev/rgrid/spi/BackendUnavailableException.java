package dev.rgrid.spi;

/**
 * Thrown by every backend when the system behind it cannot be reached or refuses to work (database
 * locked or unreachable, disk not writable, engine down). Core treats it as transient where a retry
 * can help. Driver exceptions are wrapped in it at the backend edge, with their cause.
 */
public class BackendUnavailableException extends RGridException {
  /** A short name of the backend that did not answer. */
  private final String backend;

  /**
   * @param backend a short name of the backend ("sqlite", "file blob store", "docker")
   * @param message what failed, naming the resource (path, URL)
   * @param hint what to do about it
   * @param cause the driver's exception
   */
  public BackendUnavailableException(String backend, String message, String hint, Throwable cause) {
    super(message, hint, null, cause);
    this.backend = backend;
  }

  /** The backend that failed. */
  public String backend() {
    return backend;
  }
}
