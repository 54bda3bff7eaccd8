package dev.rgrid.core.pipeline;

import dev.rgrid.core.Batch;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A submitted pipeline: its id, the run (or batch) of each step submitted, and a wait for the
 * end. Every step is already submitted when you hold it; the store starts each as its parents
 * end, whether or not anyone waits here.
 */
public final class PipelineRun {
  private final RGrid rgrid;
  private final PipelineId id;
  private final Map<String, Object> handles;
  private final Set<String> kept;

  PipelineRun(RGrid rgrid, PipelineId id, Map<String, Object> handles, Set<String> kept) {
    this.rgrid = rgrid;
    this.id = id;
    this.handles = new LinkedHashMap<>(handles);
    this.kept = Set.copyOf(kept);
  }

  /** Its id, the value of the {@value Pipeline#PIPELINE_LABEL} label of each of its runs. */
  public PipelineId id() {
    return id;
  }

  /** The steps submitted by this call, in order (a retry leaves out those it kept). */
  public List<String> submitted() {
    return List.copyOf(handles.keySet());
  }

  /** The steps a retry kept from the earlier run because they had succeeded. */
  public Set<String> kept() {
    return kept;
  }

  /** The execution of step {@code name}, when this call submitted it as a single run. */
  public Optional<Execution> execution(String name) {
    return handles.get(name) instanceof Execution e ? Optional.of(e) : Optional.empty();
  }

  /** The batch of step {@code name}, when this call submitted it as a batch step. */
  public Optional<Batch> batch(String name) {
    return handles.get(name) instanceof Batch b ? Optional.of(b) : Optional.empty();
  }

  /** Where every step stands now, read from the store. */
  public PipelineStatus status() {
    return Pipelines.status(rgrid, id);
  }

  /**
   * Waits until every submitted step has ended (the skipped ones included).
   *
   * @return where every step stands then
   * @throws InterruptedException when the waiting thread is interrupted (the steps go on)
   */
  public PipelineStatus await() throws InterruptedException {
    for (Object handle : handles.values()) {
      if (handle instanceof Execution e) {
        e.await();
      } else {
        ((Batch) handle).await();
      }
    }
    return status();
  }

  /** Cancels every run of the pipeline that has not ended; returns how many. */
  public int cancel() {
    return Pipelines.cancel(rgrid, id);
  }
}
