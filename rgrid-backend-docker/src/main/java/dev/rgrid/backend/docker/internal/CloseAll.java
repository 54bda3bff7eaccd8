package dev.rgrid.backend.docker.internal;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.Container;
import java.util.Collection;
import java.util.List;

/**
 * How a runtime closes the runs still open when it closes itself: every one of them, even after
 * one failed (a run left open leaks its container or service), keeping the first failure to
 * throw once all were tried and the later ones suppressed in it.
 */
public final class CloseAll {
  private CloseAll() {}

  /**
   * Closes each of {@code runs} (a copy is taken first: closing one removes it from its
   * runtime's set).
   *
   * @return the first failure, the later ones suppressed in it, or {@code null} when all closed
   */
  public static RGridException closeAll(Collection<? extends Container> runs) {
    RGridException failure = null;
    for (Container run : List.copyOf(runs)) {
      try {
        run.close();
      } catch (RGridException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }
}
