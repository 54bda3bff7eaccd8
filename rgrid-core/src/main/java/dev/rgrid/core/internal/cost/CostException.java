package dev.rgrid.core.internal.cost;

import dev.rgrid.spi.RGridException;

/**
 * Thrown when a money amount, a price table, a spending limit or a date range given by the user
 * cannot be used as written. The message names the offending value (shortened and with control
 * characters escaped, so a hostile value cannot flood or garble a terminal); the hint says what to
 * write instead.
 */
public class CostException extends RGridException {

  /**
   * @param message what is wrong, naming the value
   * @param hint what the user can do about it, or {@code null}
   */
  public CostException(String message, String hint) {
    super(message, hint, null, null);
  }

  /**
   * @param message what is wrong, naming the value
   * @param hint what the user can do about it, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public CostException(String message, String hint, Throwable cause) {
    super(message, hint, null, cause);
  }
}
