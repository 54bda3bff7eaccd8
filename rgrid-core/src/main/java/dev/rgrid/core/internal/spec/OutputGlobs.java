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
   * Checks that {@code link}'s glob stays among its parent's outputs: a {@code ..} component
   * could never match an output's path, so it is refused as a mistake rather than left to fail
   * every run later with "produced no".
   *
   * @throws InvalidRunSpecException when it has a {@code ..} component
   */
  public static void checkRelative(ParentLink link) {
    String glob = link.glob();
    if (glob != null && (("/" + glob + "/").contains("/../") || ("/" + glob + "/").contains(
        "/./"))) {
      throw new InvalidRunSpecException("'" + glob + "' names outputs of " + link.target()
          + " outside its outputs ('..' or '.' in the path)", "name an output path relative to"
          + " its outputs, e.g. " + link.target() + ":out/*.csv");
    }
  }

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
