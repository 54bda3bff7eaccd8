package dev.rgrid.core.internal.execution;

import dev.rgrid.spi.RGridException;

/** The script produced more output files or bytes than allowed; nothing was collected. */
final class OutputLimitException extends RGridException {
  OutputLimitException(String message, String hint) {
    super(message, hint);
  }
}
