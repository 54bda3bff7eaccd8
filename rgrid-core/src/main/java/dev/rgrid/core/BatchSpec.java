package dev.rgrid.core;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A batch: the same run once per input file. The {@link #template()} says what each run is; each
 * input is placed where {@code {}} stands in its arguments ({@code {{}}} for a literal {@code {}}),
 * or appended after them when no argument holds {@code {}}. Inputs come from {@link #globs()}
 * (expanded in the template's base directory, {@code **} crossing directories) and {@link
 * #inputs()}, de-duplicated and sorted by path.
 *
 * <pre>{@code
 * RunSpec each = RunSpec.builder(Path.of("clean.py")).args("--in", "{}").build();
 * Batch batch = rgrid.batch(BatchSpec.builder(each).glob("data/*.csv").parallel(4).build());
 * BatchProgress done = batch.await();
 * }</pre>
 *
 * @param template the run for each input; it may not read stdin, and its listener hears every
 *     input's execution
 * @param globs patterns matching input files; each must match at least one file
 * @param inputs input files named one by one
 * @param parallel the most executions of this batch running at once, across every worker (1 to
 *     {@value dev.rgrid.spi.queue.QueueEntry#MAX_GROUP_LIMIT})
 * @param listener hears each input end and the counts change
 * @param maxInputs the most inputs accepted; more is an error rather than a cut batch
 * @param itemsFrom another batch whose runs feed this one, one run each (N to N, {@code rgrid run
 *     --batch-from BATCH_ID:GLOB}; see {@link Builder#itemsFrom(BatchId, String)}), or a
 *     run whose matching outputs do, one each, once it has succeeded (fan-out, {@link Builder#itemsFrom(ExecutionId,
 *     String)}), or {@code null}: then the inputs are local files
 */
public record BatchSpec(RunSpec template, List<String> globs, List<Path> inputs, int parallel,
    BatchListener listener, int maxInputs, ParentLink itemsFrom) {
  /** The most inputs a batch accepts unless told otherwise. */
  public static final int DEFAULT_MAX_INPUTS = 100_000;

  /** Checks the values and copies the lists. */
  public BatchSpec {
    Objects.requireNonNull(template, "template");
    globs = List.copyOf(globs);
    inputs = List.copyOf(inputs);
    listener = listener == null ? BatchListener.NONE : listener;
    if (itemsFrom != null && (itemsFrom.glob() == null || itemsFrom.item())) {
      throw new IllegalArgumentException("a batch's runs are fed by the outputs a glob matches, "
          + "was " + itemsFrom);
    }
    if (itemsFrom != null && !(globs.isEmpty() && inputs.isEmpty())) {
      throw new InvalidRunSpecException("a batch takes its inputs from local files or from "
          + "another batch's runs, not both", "give either --batch or --batch-from");
    }
    if (globs.isEmpty() && inputs.isEmpty() && itemsFrom == null) {
      throw new InvalidRunSpecException("a batch needs inputs",
          "give at least one --batch pattern or input file, or --batch-from BATCH_ID:GLOB");
    }
    if (template.stdin() != null) {
      throw new InvalidRunSpecException("a batch cannot pass stdin to its scripts",
          "pass the data as input files instead");
    }
    checkParallel(parallel);
    if (maxInputs < 1) {
      throw new IllegalArgumentException("maxInputs must be positive, was " + maxInputs);
    }
  }

  /** A batch of local inputs. */
  public BatchSpec(RunSpec template, List<String> globs, List<Path> inputs, int parallel,
      BatchListener listener, int maxInputs) {
    this(template, globs, inputs, parallel, listener, maxInputs, null);
  }

  /**
   * Checks a parallelism as a user gave it.
   *
   * @throws InvalidRunSpecException when it is below 1 or above the limit
   */
  public static int checkParallel(int parallel) {
    if (parallel < 1 || parallel > QueueEntry.MAX_GROUP_LIMIT) {
      throw new InvalidRunSpecException("--parallel must be between 1 and "
          + QueueEntry.MAX_GROUP_LIMIT + ", was " + parallel,
          "pass how many inputs may run at once, e.g. --parallel 4");
    }
    return parallel;
  }

  /** The default parallelism: one per processor of this machine. */
  public static int defaultParallel() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** A builder of a batch running {@code template} once per input. */
  public static Builder builder(RunSpec template) {
    return new Builder(template);
  }

  /** Builds a {@link BatchSpec}. */
  public static final class Builder {
    private final RunSpec template;
    private final List<String> globs = new ArrayList<>();
    private final List<Path> inputs = new ArrayList<>();
    private int parallel = defaultParallel();
    private BatchListener listener;
    private int maxInputs = DEFAULT_MAX_INPUTS;
    private ParentLink itemsFrom;

    private Builder(RunSpec template) {
      this.template = Objects.requireNonNull(template, "template");
    }

    /** Adds patterns matching input files. */
    public Builder glob(String... patterns) {
      globs.addAll(List.of(patterns));
      return this;
    }

    /** Adds input files. */
    public Builder inputs(List<Path> files) {
      inputs.addAll(files);
      return this;
    }

    /** The most executions of this batch running at once (default: one per processor). */
    public Builder parallel(int value) {
      parallel = value;
      return this;
    }

    /** Hears each input end and the counts change. */
    public Builder listener(BatchListener value) {
      listener = value;
      return this;
    }

    /**
     * The most inputs accepted (default {@value BatchSpec#DEFAULT_MAX_INPUTS}). A batch fanned
     * out from a run that has not ended counts its runs when that run has, against this bound,
     * and never takes more than the default.
     */
    public Builder maxInputs(int value) {
      maxInputs = value;
      return this;
    }

    /**
     * Runs the template once per run of {@code batch} (N to N, like {@code rgrid run
     * --batch-from BATCH_ID:GLOB}), instead of once per local file. Each run waits for its own
     * parent run only, so it starts as soon as that one succeeds, while the others still run;
     * it is skipped when its parent run fails (the others go on). The one output of its parent
     * run that {@code glob} matches is placed in its working directory under its own path, and
     * that path takes the place of {@code {}} in the arguments (or is appended); no match, or
     * more than one, fails the run saying so. Its outputs go under its parent run's folder, so
     * both batches download into the same folder names. The batch must be fully submitted.
     */
    public Builder itemsFrom(BatchId batch, String glob) {
      itemsFrom = new ParentLink(Objects.requireNonNull(batch, "batch"),
          Objects.requireNonNull(glob, "glob"));
      return this;
    }

    /**
     * Runs the template once per output of the run {@code parent} that {@code glob} matches
     * (fan-out, like {@code rgrid run --batch-from EXEC_ID:GLOB}): each run gets its output
     * under its own path, that path in place of {@code {}}, and its outputs under a folder
     * named after it. A run that has ended must have succeeded and produced a match, or the
     * batch is refused. A run still going has outputs not known yet: the batch is stored with
     * no runs, counted as one queued input, and expanded by a worker when the run succeeds; it
     * ends skipped (naming the run) when the run does not, and failed when nothing matches.
     * Until it is expanded, nothing can chain from it.
     */
    public Builder itemsFrom(ExecutionId parent, String glob) {
      itemsFrom = new ParentLink(Objects.requireNonNull(parent, "parent"),
          Objects.requireNonNull(glob, "glob"));
      return this;
    }

    /** The spec. */
    public BatchSpec build() {
      return new BatchSpec(template, globs, inputs, parallel, listener, maxInputs, itemsFrom);
    }
  }
}
