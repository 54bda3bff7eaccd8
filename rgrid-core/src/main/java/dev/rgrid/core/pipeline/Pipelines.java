package dev.rgrid.core.pipeline;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stored pipelines, found through the labels of their runs: nothing else is stored for a
 * pipeline, so any process on the same state sees the same.
 */
public final class Pipelines {
  /** The order runs were created in (ids alone tie within a millisecond). */
  private static final Comparator<ExecutionRecord> CREATION = Comparator
      .comparing(ExecutionRecord::createdAt).thenComparing(r -> r.id().value());

  private static final int PAGE = 1000;

  private Pipelines() {}

  /**
   * Where pipeline {@code id} stands.
   *
   * @throws NotFoundException when no run carries it
   */
  public static PipelineStatus status(RGrid rgrid, PipelineId id) {
    List<ExecutionRecord> all = runs(rgrid, id);
    if (all.isEmpty()) {
      throw new NotFoundException("no pipeline " + id,
          "check the id that `rgrid pipeline run` printed");
    }
    Map<String, List<ExecutionRecord>> byStep = new LinkedHashMap<>();
    String source = null;
    for (ExecutionRecord r : all) {
      byStep.computeIfAbsent(r.spec().labels().get(Pipeline.STEP_LABEL), k -> new ArrayList<>())
          .add(r);
      source = r.spec().labels().getOrDefault(Pipeline.FILE_LABEL, source);
    }
    List<StepState> steps = new ArrayList<>();
    Map<String, ExecutionRecord> firsts = new HashMap<>();
    byStep.forEach((name, runs) -> {
      StepState step = latest(name, runs);
      steps.add(step);
      firsts.put(name, first(step, runs));
    });
    // Submitted in order, so the first run of each step's latest attempt orders the steps (a
    // retry's kept steps, all ancestors of what it reran, come before its new runs). By creation
    // time first: ids made in the same millisecond sort at random.
    steps.sort(Comparator.comparing((StepState s) -> firsts.get(s.name()), CREATION));
    return new PipelineStatus(id, source, steps);
  }

  /**
   * Cancels every run of pipeline {@code id} that has not ended, parents first (their waiting
   * children end {@code SKIPPED}).
   *
   * @return how many were cancelled
   */
  public static int cancel(RGrid rgrid, PipelineId id) {
    int cancelled = 0;
    for (ExecutionRecord r : runs(rgrid, id)) {
      if (!r.status().isTerminal() && rgrid.cancel(r.id())) {
        cancelled++;
      }
    }
    return cancelled;
  }

  /** Every run labelled with {@code id}, oldest first. */
  private static List<ExecutionRecord> runs(RGrid rgrid, PipelineId id) {
    List<ExecutionRecord> all = new ArrayList<>();
    ExecutionId before = null;
    do {
      ExecutionPage page = rgrid.list(new ExecutionQuery(Set.of(),
          Map.of(Pipeline.PIPELINE_LABEL, id.value()), null, before, PAGE));
      all.addAll(page.items());
      before = page.next();
    } while (before != null);
    all.sort(CREATION);
    return all;
  }

  /**
   * The run that was submitted for {@code step}'s latest attempt: its run, or the first run of
   * its batch, counting the template run a batch fanned out later was submitted as (its own runs
   * are made when its source ends, after the steps submitted behind it). {@code runs} are the
   * step's, in creation order.
   */
  private static ExecutionRecord first(StepState step, List<ExecutionRecord> runs) {
    if (step.batchId() == null) {
      return step.runs().get(0);
    }
    return runs.stream().filter(r -> step.batchId().equals(r.spec().batchId())).findFirst()
        .orElse(step.runs().get(0));
  }

  /** A step's latest run, or the latest runs of its latest batch. */
  private static StepState latest(String name, List<ExecutionRecord> runs) {
    ExecutionRecord newest = runs.get(runs.size() - 1);
    String batch = newest.spec().batchId();
    if (batch == null) {
      return new StepState(name, newest.status(), List.of(newest), null);
    }
    List<ExecutionRecord> items = runs.stream()
        .filter(r -> batch.equals(r.spec().batchId()) && r.retriedBy() == null).toList();
    return new StepState(name, StepState.combined(items), items, batch);
  }
}
