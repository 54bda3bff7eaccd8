package dev.rgrid.core;

import dev.rgrid.spi.BackendUnavailableException;

/**
 * The RGrid server a remote {@link RGrid} works on could not be reached at all (nothing listens
 * at its address, the name does not resolve, the connection timed out), so nothing was done
 * there. Distinct from a server that answered with a failure, so a caller can tell "check the
 * address or start the server" from "the request failed".
 */
public class ServerUnreachableException extends BackendUnavailableException {
  /**
   * @param message what could not be reached, naming the server's address (never the key)
   * @param hint what to do about it
   * @param cause the transport failure
   */
  public ServerUnreachableException(String message, String hint, Throwable cause) {
    super("rgrid server", message, hint, cause);
  }
}
