package dev.rgrid.core.internal.spec;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.regex.PatternSyntaxException;

/** The globs of {@code --from ID:PATH}, over the relative paths of a run's outputs. */
public final class OutputGlobs {
  private OutputGlobs() {}

  /**
   * The matcher of {@code link}'s glob; {@code *} and {@code ?} stay within a directory, {@code
   * **} crosses them.
   *
   * @throws InvalidRunSpecException when it is not a glob
   */
  public static PathMatcher matcher(ParentLink link) {
    try {
      return FileSystems.getDefault().getPathMatcher("glob:" + link.glob());
    } catch (PatternSyntaxException e) {
      throw new InvalidRunSpecException("'" + link.glob() + "' is not a valid glob for the outputs"
          + " of " + link.target() + ": " + e.getDescription(),
          "name an output path, or use *, ? and ** (e.g. --from " + link.target() + ":out/*.csv)");
    }
  }
}
