package dev.rgrid.spi.runtime;

import dev.rgrid.spi.RGridException;
import java.util.List;

/**
 * Installing an environment's requirements failed (a package that does not exist, a version
 * conflict, a build error). Not transient: the same requirements fail the same way. Core records
 * the run as failed with {@code dependency-install}, quoting {@link #errorLines()}.
 */
public class DependencyInstallException extends RGridException {
  /** The installer's lines that say what failed. */
  private final List<String> errorLines;

  /**
   * @param message what failed, naming the requirements
   * @param errorLines the installer's own error lines (the last ones, at most a few dozen)
   * @param hint what to do about it
   */
  public DependencyInstallException(String message, List<String> errorLines, String hint) {
    super(message, hint, null, null);
    this.errorLines = List.copyOf(errorLines);
  }

  /** The installer's own error lines. */
  public List<String> errorLines() {
    return errorLines;
  }
}
