package dev.rgrid.core;

import dev.rgrid.spi.RGridException;

/**
 * The RGrid server refused the API key (unknown, malformed or revoked: HTTP 401) or refused the
 * key this request (HTTP 403). Logging in again with a valid key is what helps.
 */
public class NotAuthorisedException extends RGridException {
  /** With the server's address (never the key) in the message. */
  public NotAuthorisedException(String message, String hint) {
    super(message, hint, null, null);
  }
}
