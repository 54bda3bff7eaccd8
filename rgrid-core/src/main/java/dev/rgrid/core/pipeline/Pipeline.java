package dev.rgrid.core.pipeline;

import dev.rgrid.core.Limits;
import dev.rgrid.core.RGrid;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Steps that run after one another, each taking outputs of those it needs. Built with {@link
 * #builder()} and checked as a whole on {@link Builder#build()} (unknown steps, cycles, missing
 * scripts, paths leading out of the base directory), so a pipeline that is held can be run.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder().baseDirectory(dir)
 *     .step(Step.builder("produce", Path.of("produce.py")).build())
 *     .step(Step.builder("consume", Path.of("consume.py")).args("numbers.txt")
 *         .input("produce:numbers.txt").build())
 *     .build();
 * PipelineStatus done = p.run(rgrid).await();
 * }</pre>
 *
 * <p>{@link #run} submits every step at once, in order, each waiting for the runs of the steps it
 * needs: the store releases a run as soon as its own parents have ended, on whichever worker,
 * without the pipeline watching. A step whose parent failed ends {@code SKIPPED}, and so do its
 * descendants. A run's cache key chains through its parents' outputs, so running an unchanged
 * pipeline again is all cache hits, and a changed step reruns with its descendants only.
 *
 * <p>Each run carries the labels {@value #PIPELINE_LABEL} (the {@link PipelineId}) and {@value
 * #STEP_LABEL} (the step's name), which is how {@link Pipelines} finds a pipeline again.
 */
public final class Pipeline {
  /** The label holding a run's pipeline id. */
  public static final String PIPELINE_LABEL = "rgrid.pipeline";
  /** The label holding the name of a run's step. */
  public static final String STEP_LABEL = "rgrid.step";
  /** The label holding the file a pipeline was read from, when it was read from one. */
  public static final String FILE_LABEL = "rgrid.pipeline.file";
  /** The most steps a pipeline may have. */
  public static final int MAX_STEPS = 1000;

  private final Path baseDirectory;
  private final List<Step> steps;
  private final String source;

  private Pipeline(Path baseDirectory, List<Step> steps, String source) {
    this.baseDirectory = baseDirectory;
    this.steps = steps;
    this.source = source;
  }

  /** A builder of an empty pipeline. */
  public static Builder builder() {
    return new Builder();
  }

  /** The steps in the order they are submitted: each after the steps it needs. */
  public List<Step> steps() {
    return steps;
  }

  /** The step called {@code name}, if there is one. */
  public Optional<Step> step(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Where relative scripts, inputs and batch globs are resolved. */
  public Path baseDirectory() {
    return baseDirectory;
  }

  /** The file it was read from, recorded on its runs ({@value #FILE_LABEL}), or empty. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /**
   * Submits every step now and returns at once with the handle. A step whose runtime {@code
   * rgrid} does not know is refused before any step is submitted; when a submission is refused
   * later (a spending limit), the runs already submitted are cancelled and the error is thrown.
   */
  public PipelineRun run(RGrid rgrid) {
    return run(rgrid, Clock.systemUTC());
  }

  /** As {@link #run(RGrid)}, the pipeline id taking its time from {@code clock}. */
  public PipelineRun run(RGrid rgrid, Clock clock) {
    PipelineId id = PipelineId.generate(clock.instant(), new SecureRandom());
    return new StepSubmission(rgrid, this, id).submit(List.of());
  }

  /**
   * Runs the steps of the stored pipeline {@code id} that did not succeed (failed, timed out,
   * cancelled or skipped) again, as this pipeline defines them now, under the same id; each
   * waits for the succeeded runs of the steps it needs, which are not run again. A step this
   * pipeline has and the stored one had not runs too.
   *
   * @throws dev.rgrid.spi.NotFoundException when no run carries {@code id}
   * @throws dev.rgrid.spi.ConflictException when some of its runs have not ended
   */
  public PipelineRun retry(RGrid rgrid, PipelineId id) {
    PipelineStatus stored = Pipelines.status(rgrid, id);
    if (!stored.ended()) {
      throw new dev.rgrid.spi.ConflictException(id + " is still running; retry it once it "
          + "has ended", "wait for it (`rgrid pipeline status " + id + "`) or cancel it first");
    }
    List<StepState> kept = new ArrayList<>();
    for (Step step : steps) {
      stored.step(step.name()).filter(s -> s.status()
          == dev.rgrid.spi.store.ExecutionStatus.SUCCEEDED).ifPresent(kept::add);
    }
    return new StepSubmission(rgrid, this, id).submit(kept);
  }

  /** Builds a {@link Pipeline}. */
  public static final class Builder {
    private final List<Step> steps = new ArrayList<>();
    private Path baseDirectory;
    private String source;
    private Limits limits = Limits.defaults();

    private Builder() {}

    /** Adds a step. */
    public Builder step(Step step) {
      steps.add(Objects.requireNonNull(step, "step"));
      return this;
    }

    /** Sets where relative paths are resolved (default: the current directory). */
    public Builder baseDirectory(Path value) {
      baseDirectory = value;
      return this;
    }

    /**
     * Names the file the pipeline was read from, recorded on its runs so that {@code rgrid
     * pipeline retry} can read it again (left out when longer than a label value may be).
     */
    public Builder source(String value) {
      source = value;
      return this;
    }

    /**
     * Sets the limits each step's timeout, CPUs and memory are checked against when the pipeline
     * is built (default {@link Limits#defaults()}, what the CLI and a remote client check runs
     * against): give those of the {@code RGrid} it will run on when they differ.
     */
    public Builder limits(Limits value) {
      limits = Objects.requireNonNull(value, "limits");
      return this;
    }

    /**
     * The pipeline, checked as a whole.
     *
     * @throws dev.rgrid.core.InvalidRunSpecException naming what is wrong: no steps or more than
     *     {@value Pipeline#MAX_STEPS}, a bad or repeated name, a script that is not a file, an
     *     input that does not exist or leads out of the base directory, a step's run option out
     *     of bounds (its runtime name, timeout, CPU or memory limit, placement constraints,
     *     arguments), an unknown step, a cycle (named, e.g. {@code a → b → a}), or a batch step
     *     waiting for others or waited for
     * @throws dev.rgrid.core.NoMatchException when a batch glob matches no file
     */
    public Pipeline build() {
      Path base = (baseDirectory == null ? Path.of("") : baseDirectory).toAbsolutePath()
          .normalize();
      List<Step> ordered = PipelineCheck.ordered(base, List.copyOf(steps), limits);
      boolean keep = source != null && source.length() <= 256
          && source.chars().noneMatch(Character::isISOControl);
      return new Pipeline(base, List.copyOf(ordered), keep ? source : null);
    }
  }
}
