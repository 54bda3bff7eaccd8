package dev.rgrid.core;

import dev.rgrid.spi.store.ParentLink;
import java.util.Objects;

/**
 * One run of a batch fed by another batch's runs or by an ended run's outputs ({@link
 * BatchSpec#itemsFrom()}), as a server works it out for a remote client ({@link
 * AccountView#fedRuns}): the client creates the batch, then submits one execution of it per
 * fed run, each linked to its parent run by {@link #link()} and labelled with its {@link
 * #folder()}, as the embedded engine stores them.
 *
 * @param link the run's link to its parent run ({@link ParentLink#item}): the one output it
 *     matches fills the run's {@code {}}
 * @param input what the run is shown as: the parent run's input, or the output it takes
 * @param folder the folder its outputs go to, the parent run's (or one per output of an ended
 *     run), as the label {@code rgrid.item}
 */
public record FedRun(ParentLink link, String input, String folder) {
  /** Checks the values. */
  public FedRun {
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(folder, "folder");
    if (!link.item()) {
      throw new IllegalArgumentException("a fed run's link fills its {}, was " + link);
    }
  }
}
