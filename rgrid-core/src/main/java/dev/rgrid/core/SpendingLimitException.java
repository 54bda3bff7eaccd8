package dev.rgrid.core;

import dev.rgrid.spi.RGridException;

/** A new execution was refused: this month's spending has reached the monthly limit. */
public class SpendingLimitException extends RGridException {
  /** With what was spent and the limit in the message. */
  public SpendingLimitException(String message, String hint) {
    super(message, hint, null, null);
  }
}
