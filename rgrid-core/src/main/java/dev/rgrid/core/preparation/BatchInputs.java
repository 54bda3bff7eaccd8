package dev.rgrid.core.preparation;

import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.FedRun;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.core.internal.batch.Globs;
import dev.rgrid.core.internal.batch.LatestRuns;
import dev.rgrid.core.internal.batch.OutputFolders;
import dev.rgrid.core.internal.batch.Placement;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How a {@link BatchSpec} becomes one run per input: its inputs expanded and checked, each given
 * its output folder, and each placed into the template's arguments. Shared by the embedded engine
 * and the remote client, so a batch is formed the same way wherever it runs.
 */
public final class BatchInputs {
  private BatchInputs() {}

  /** The directory a batch's patterns are expanded in and its inputs are relative to. */
  public static Path base(RunSpec template) {
    return template.baseDirectory().toAbsolutePath().normalize();
  }

  /**
   * The inputs: globs expanded in {@code base}, plus those named, each once, as absolute
   * normalised paths sorted by the code points of their text.
   *
   * @throws InvalidRunSpecException when a named input is not a file, there are more than {@link
   *     BatchSpec#maxInputs()}, or some cannot be read (naming them; nothing is submitted then)
   * @throws IllegalArgumentException when the batch is fed by other runs ({@link
   *     BatchSpec#itemsFrom()}): it has no local inputs, its runs come from the store
   */
  public static List<Path> expand(BatchSpec spec, Path base) {
    if (spec.itemsFrom() != null) {
      throw new IllegalArgumentException("a batch fed by " + spec.itemsFrom().target()
          + " has no local inputs: its runs come from the store (AccountView.fedRuns)");
    }
    TreeSet<Path> all = new TreeSet<>(Globs.PATH_ORDER);
    if (!spec.globs().isEmpty()) {
      all.addAll(Globs.expand(base, spec.globs(), spec.maxInputs()));
    }
    for (Path named : spec.inputs()) {
      Path p = base.resolve(named).toAbsolutePath().normalize();
      if (!Files.isRegularFile(p)) {
        throw new InvalidRunSpecException("batch input " + named + " is not a file",
            Files.exists(p) ? "name files, or use a pattern such as '" + named + "/*'"
                : "check the path; relative paths start at " + base);
      }
      all.add(p);
    }
    if (all.size() > spec.maxInputs()) {
      throw new InvalidRunSpecException("the batch has " + all.size() + " inputs, more than "
          + spec.maxInputs(), "narrow the patterns or split the work into several batches");
    }
    List<String> unreadable = new ArrayList<>();
    for (Path p : all) {
      if (!Files.isReadable(p)) {
        unreadable.add(p.toString());
      }
    }
    if (!unreadable.isEmpty()) {
      String shown = String.join(", ", unreadable.subList(0, Math.min(5, unreadable.size())))
          + (unreadable.size() > 5 ? " and " + (unreadable.size() - 5) + " more" : "");
      throw new InvalidRunSpecException(unreadable.size() + " batch input"
          + (unreadable.size() == 1 ? " cannot" : "s cannot") + " be read: " + shown,
          "fix their permissions or leave them out; nothing was submitted");
    }
    return List.copyOf(all);
  }

  /**
   * The folder each input's outputs go to under the output directory, in the order of {@code
   * inputs}: named after the input's file name, with parent directories or a number added where
   * names would collide (also ignoring case), and made safe as a single path segment. The result
   * depends only on the set of paths, so the same batch always lands in the same folders.
   *
   * @param base the directory the inputs were expanded in ({@link #base})
   * @param inputs the inputs as {@link #expand} returns them
   * @return distinct folder names, one per input
   */
  public static List<String> folders(Path base, List<Path> inputs) {
    return OutputFolders.assign(base, inputs);
  }

  /** How an input is written in the script's arguments: relative to the base when inside it. */
  public static String argument(Path base, Path input) {
    String shown = input.startsWith(base) ? base.relativize(input).toString() : input.toString();
    // A name starting with '-' would be taken for an option, by RGrid and by the script.
    return shown.startsWith("-") ? "./" + shown : shown;
  }

  /**
   * Refuses a fed batch ({@link BatchSpec#itemsFrom()}) whose template waits for other runs too:
   * its runs wait for their own parent runs only.
   *
   * @throws InvalidRunSpecException when the template names parents
   */
  public static void checkFedTemplate(RunSpec template) {
    if (!template.parents().isEmpty()) {
      throw new InvalidRunSpecException("a batch fed by --batch-from cannot wait for other runs "
          + "too", "leave out --after and --from, or chain through an intermediate run");
    }
  }

  /**
   * The run of a fed batch ({@link BatchSpec#itemsFrom()}) that {@code run} describes, heard by
   * {@code listener}: {@code template} linked to its one parent run, labelled with its folder.
   * Its arguments keep their {@code {}}, filled when it starts with the path of the output it
   * takes, as the embedded engine's runs of such a batch are.
   */
  public static RunSpec forParent(RunSpec template, FedRun run, ExecutionListener listener) {
    RunSpec t = template;
    Map<String, String> labels = new LinkedHashMap<>(t.labels());
    labels.put(LatestRuns.ITEM_LABEL, run.folder());
    return new RunSpec(t.script(), t.args(), t.inputs(), t.env(), t.runtime(), t.timeout(),
        labels, t.resources(), t.network(), null, listener, t.baseDirectory(),
        t.requirementsFile(), t.detectDependencies(), t.cache(), t.retry(), t.secrets(),
        List.of(run.link()));
  }

  /**
   * The one run of a batch fanned out from a run that has not ended ({@link
   * BatchSpec#itemsFrom()}, from a run), heard by {@code listener}: {@code
   * template} labelled as the batch's template ({@code rgrid.fan-out=pending}), waiting for the
   * parent run through an item link whose glob is the batch's. The worker that claims it once
   * the parent succeeded expands it into the batch's runs instead of running it; the embedded
   * engine and the remote client submit the same run. A {@code maxInputs} below {@link
   * BatchSpec#DEFAULT_MAX_INPUTS} goes with it ({@link FanOut#MAX_INPUTS_LABEL}), since the runs
   * are counted only then; a batch expanded later never takes more than that default.
   */
  public static RunSpec laterTemplate(RunSpec template, ParentLink source, int maxInputs,
      ExecutionListener listener) {
    RunSpec t = template;
    Map<String, String> labels = new LinkedHashMap<>(t.labels());
    labels.put(FanOut.LABEL, FanOut.PENDING);
    if (maxInputs < BatchSpec.DEFAULT_MAX_INPUTS) {
      labels.put(FanOut.MAX_INPUTS_LABEL, Integer.toString(maxInputs));
    }
    return new RunSpec(t.script(), t.args(), t.inputs(), t.env(), t.runtime(), t.timeout(),
        labels, t.resources(), t.network(), null, listener, t.baseDirectory(),
        t.requirementsFile(), t.detectDependencies(), t.cache(), t.retry(), t.secrets(),
        List.of(ParentLink.item(source.parent(), source.glob())));
  }

  /**
   * The run of {@code template} on one input ({@link #argument}), heard by {@code listener}: the
   * input replaces every {@code {}} in the arguments ({@code {{}}} is a literal {@code {}}), or
   * is appended as the last argument when there is none. The run reads no standard input.
   */
  public static RunSpec forInput(RunSpec template, String input, ExecutionListener listener) {
    RunSpec t = template;
    return new RunSpec(t.script(), Placement.place(t.args(), input), t.inputs(), t.env(),
        t.runtime(), t.timeout(), t.labels(), t.resources(), t.network(), null, listener,
        t.baseDirectory(), t.requirementsFile(), t.detectDependencies(), t.cache(), t.retry(),
        t.secrets(), t.parents());
  }
}
