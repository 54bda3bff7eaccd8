package dev.rgrid.core.pipeline;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Submits the steps of a pipeline in order, each run naming the runs of its parent steps, so that
 * the store releases it when they end. Steps kept from an earlier run are not submitted; their
 * succeeded runs are the parents of the steps that are.
 */
final class StepSubmission {
  private final RGrid rgrid;
  private final Pipeline pipeline;
  private final PipelineId id;
  private final Map<String, ExecutionId> runs = new HashMap<>();
  private final Map<String, BatchId> batches = new HashMap<>();
  private final Map<String, Object> handles = new LinkedHashMap<>();

  StepSubmission(RGrid rgrid, Pipeline pipeline, PipelineId id) {
    this.rgrid = rgrid;
    this.pipeline = pipeline;
    this.id = id;
  }

  /** Submits every step not in {@code kept}; on a refusal, cancels what it had submitted. */
  PipelineRun submit(List<StepState> kept) {
    Map<String, StepState> keptByName = new HashMap<>();
    kept.forEach(s -> keptByName.put(s.name(), s));
    checkRuntimes(keptByName);
    try {
      for (Step step : pipeline.steps()) {
        StepState done = keptByName.get(step.name());
        if (done != null) {
          if (done.batchId() == null) {
            runs.put(step.name(), done.runs().get(0).id());
          } else {
            batches.put(step.name(), BatchId.of(done.batchId()));
          }
          continue;
        }
        if (step.batch() == null && step.batchFrom() == null) {
          Execution e = rgrid.run(spec(step).build());
          runs.put(step.name(), e.id());
          handles.put(step.name(), e);
        } else {
          int parallel = step.parallel() == 0 ? BatchSpec.defaultParallel() : step.parallel();
          BatchSpec.Builder spec = BatchSpec.builder(spec(step).build()).parallel(parallel);
          if (step.batchFrom() != null) {
            // Fed by a batch step's runs, one each: its runs wait for their own parent runs
            // (stored at once, each released as its parent run ends; see BatchSpec.itemsFrom).
            BatchId fed = batches.get(step.batchFrom().step());
            if (fed != null) {
              spec.itemsFrom(fed, step.batchFrom().glob());
            } else {
              // Fanned out from a single run's outputs, once it ends (see BatchSpec.itemsFrom).
              spec.itemsFrom(runs.get(step.batchFrom().step()), step.batchFrom().glob());
            }
          } else {
            spec.glob(step.batch());
          }
          Batch batch = rgrid.batch(spec.build());
          batches.put(step.name(), batch.id());
          handles.put(step.name(), batch);
        }
      }
    } catch (RuntimeException e) {
      cancelSubmitted(e);
      throw e;
    }
    return new PipelineRun(rgrid, id, handles, keptByName.keySet());
  }

  /**
   * The run of {@code step} with its own options (script, arguments, runtime, timeout, limits,
   * retries, inputs, labels), before the pipeline's labels and its parents are added: what the
   * file check checks ({@code PipelineCheck}) and what is submitted.
   */
  static RunSpec.Builder template(Path base, Step step) {
    RunSpec.Builder b = RunSpec.builder(base.resolve(step.script())).args(step.args())
        .baseDirectory(base).runtime(step.runtime()).timeout(step.timeout())
        .resources(step.resources()).retry(step.retry())
        .inputs(step.inputs().stream().map(base::resolve).toArray(Path[]::new));
    step.labels().forEach(b::label);
    return b;
  }

  /**
   * Refuses a step whose runtime the instance does not know before any step is submitted: the
   * catalog is the instance's (the server's for a remote client), so the file check cannot.
   */
  private void checkRuntimes(Map<String, StepState> kept) {
    for (Step step : pipeline.steps()) {
      if (!kept.containsKey(step.name()) && step.runtime() != null
          && !step.runtime().isBlank()) {
        try {
          rgrid.runtimes().resolve(step.runtime());
        } catch (InvalidRunSpecException e) {
          throw new InvalidRunSpecException("step " + step.name() + ": " + e.getMessage(),
              e.hint().orElse(null), e);
        }
      }
    }
  }

  private RunSpec.Builder spec(Step step) {
    Path base = pipeline.baseDirectory();
    RunSpec.Builder b = template(base, step);
    b.label(Pipeline.PIPELINE_LABEL, id.value()).label(Pipeline.STEP_LABEL, step.name());
    pipeline.source().ifPresent(file -> b.label(Pipeline.FILE_LABEL, file));
    // A batch step is a parent as a whole: its every run's outputs are taken (fan-in), each
    // under its input's folder, and it is waited for until its last run ends.
    for (Step.StepOutput output : step.from()) {
      BatchId batch = batches.get(output.step());
      if (batch != null) {
        b.from(batch, output.glob());
      } else {
        b.from(runs.get(output.step()), output.glob());
      }
    }
    for (String need : step.needs()) {
      if (step.from().stream().noneMatch(o -> o.step().equals(need))) {
        // a parent whose outputs it takes is waited for already
        BatchId batch = batches.get(need);
        if (batch != null) {
          b.after(batch);
        } else {
          b.after(runs.get(need));
        }
      }
    }
    return b;
  }

  private void cancelSubmitted(RuntimeException cause) {
    for (Object handle : handles.values()) {
      try {
        if (handle instanceof Execution e) {
          e.cancel();
        } else if (handle instanceof Batch b) {
          b.cancel();
        }
      } catch (RuntimeException e) {
        cause.addSuppressed(e); // the refusal is what the caller needs; this rides along
      }
    }
  }
}
