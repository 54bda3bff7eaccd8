package dev.rgrid.core.internal.batch;

import dev.rgrid.core.internal.batch.OutputFolders.FlatClash;
import dev.rgrid.core.internal.batch.OutputFolders.Writer;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when {@code --flat} would make the outputs of different inputs overwrite each other.
 * The message lists the clashes with their inputs (up to {@value #SHOWN} paths and
 * {@value #SHOWN_WRITERS} inputs each, then counts, so 10,000 inputs that all write
 * {@code result.json} still give a readable line); {@link #clashes()} has every one of them.
 */
public class FlatClashException extends BatchException {
  /** Clashes spelled out in the message. */
  static final int SHOWN = 20;

  /** Inputs named per clash in the message. */
  static final int SHOWN_WRITERS = 10;

  private final transient List<FlatClash> clashes;

  /** @param clashes every clash found, at least one */
  public FlatClashException(List<FlatClash> clashes) {
    super(message(clashes), "drop --flat so each input gets its own folder, or have the script"
        + " name its outputs after its input");
    this.clashes = List.copyOf(clashes);
  }

  /** Every clash, sorted by path. */
  public List<FlatClash> clashes() {
    return clashes;
  }

  private static String message(List<FlatClash> clashes) {
    String shown = clashes.stream().limit(SHOWN).map(FlatClashException::describe)
        .collect(Collectors.joining("; "));
    String more = clashes.size() > SHOWN ? "; and " + (clashes.size() - SHOWN) + " more" : "";
    return "--flat would overwrite outputs: " + clashes.size() + " path"
        + (clashes.size() == 1 ? "" : "s") + " written by more than one input: " + shown + more;
  }

  private static String describe(FlatClash clash) {
    List<Writer> writers = clash.writers();
    String more = writers.size() > SHOWN_WRITERS
        ? " and " + (writers.size() - SHOWN_WRITERS) + " more inputs" : "";
    boolean plain = writers.stream()
        .allMatch(w -> !w.directory() && w.path().equals(clash.path()));
    if (plain) {
      return "'" + clash.path() + "' from " + writers.stream().limit(SHOWN_WRITERS)
          .map(Writer::input).collect(Collectors.joining(", ")) + more;
    }
    return writers.stream().limit(SHOWN_WRITERS)
        .map(w -> "'" + w.path() + (w.directory() ? "/' (a directory)" : "'") + " from "
            + w.input())
        .collect(Collectors.joining(" vs ")) + more;
  }
}
