package dev.rgrid.store.sql;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules of runs that wait for others (see {@code ExecutionStore.create} and {@code update}),
 * the same on every SQL store: which status a new child is stored in, and what a parent's end
 * does to its waiting children. The store supplies the statements ({@link Edges}, throwing {@code
 * X}), all inside the transaction that creates the child or ends the parent, so a release is never
 * lost or done twice.
 *
 * <p>A batch as a parent is waited for through its runs: when the child is stored, it gets an
 * edge to each unended latest run of the batch (each input's, a retry by hand standing for what
 * it retried), read under the same share lock as an execution parent, so the usual release does
 * the rest: the end of the batch's last run releases the child, and the first run that does not
 * succeed skips it, the skip naming the batch and that run. A run retried automatically stays
 * unended between its attempts, so only its last attempt counts. The batch must be fully stored
 * (one run per input): runs stored after the child would not be waited for.
 *
 * <p>One run of a batch may stand for runs not stored yet: the template of a batch fanned out
 * from a run that had not ended, which the worker that claims it expands into a run per output
 * of that run and then ends {@code SUCCEEDED}, replaced by them ({@code retriedBy} set; no other
 * run ends succeeded and replaced). A child waiting for such a batch waits for the template;
 * when the template ends so, the child is handed over to the batch's latest runs instead of
 * being released (see {@link #release}): it then waits for those not ended, is skipped by one
 * that did not succeed, and is released when none is left. The runs are all stored before the
 * template ends, in that worker's earlier transactions, so the handover sees every one of them.
 */
public final class ParentRelease {
  private ParentRelease() {}

  /** The statements of one store, run inside the caller's transaction. */
  public interface Edges<X extends Exception> {
    /**
     * The status of each stored parent among {@code ids}, read under a share lock held to the
     * commit, so no parent can end between this read and the child's edges being written.
     */
    Map<ExecutionId, ExecutionStatus> lockParents(List<ExecutionId> ids) throws X;

    /**
     * The size of {@code batch} and the status of each of its latest runs (those not retried by
     * hand), the runs read under the same share lock as {@link #lockParents}; or {@code null}
     * when there is no such batch.
     */
    BatchRuns lockBatch(BatchId batch) throws X;

    /**
     * Records that {@code child} waits for each of {@code parents} (as few statements as can);
     * a parent it already waits for is left as it is.
     */
    void insert(ExecutionId child, List<ExecutionId> parents) throws X;

    /** The executions waiting for {@code parent}. */
    List<ExecutionId> children(ExecutionId parent) throws X;

    /** The record of {@code id}, locked against other writers until the commit. */
    ExecutionRecord lockRecord(ExecutionId id) throws X;

    /** Forgets that {@code child} waits for {@code parent}. */
    void delete(ExecutionId child, ExecutionId parent) throws X;

    /** Forgets every parent {@code child} waits for. */
    void deleteAll(ExecutionId child) throws X;

    /**
     * Whether {@code child} still waits for any parent (an existence test: a child of a large
     * batch has one row per run of it, which the end of each must not count).
     */
    boolean waitsStill(ExecutionId child) throws X;

    /** Rewrites a child's record (its mutable columns), as {@code update} would. */
    void write(ExecutionRecord next) throws X;

    /** Removes the queue entry of {@code id}, if any. */
    void removeQueueEntry(ExecutionId id) throws X;

    /** Says that {@code id} became claimable (a store that can wake workers does so at commit). */
    void announceQueued(ExecutionId id) throws X;

    /** Says that {@code id} ended (a store that announces ends does so at commit). */
    void announceEnded(ExecutionId id) throws X;
  }

  /**
   * A batch as {@link Edges#lockBatch} read it.
   *
   * @param size how many inputs it has (how many latest runs it has once fully stored)
   * @param latest the status of each of its latest runs
   */
  public record BatchRuns(int size, Map<ExecutionId, ExecutionStatus> latest) {}

  /**
   * What to store for a new execution.
   *
   * @param record the record to write: the one given while it waits, else it {@code QUEUED} or
   *     {@code SKIPPED}
   * @param waitFor the parents to record it as waiting for, once its row is written
   */
  public record Admission(ExecutionRecord record, List<ExecutionId> waitFor) {}

  /**
   * What to store for a new execution, its parents looked at under lock (see {@code
   * ExecutionStore.create}).
   *
   * @throws NotFoundException when a parent is not stored
   * @throws IllegalArgumentException when the record's status does not fit its parents
   */
  public static <X extends Exception> Admission admit(Edges<X> edges, ExecutionRecord record)
      throws X {
    Objects.requireNonNull(record, "record");
    List<ExecutionId> parents = record.spec().parentIds();
    List<BatchId> batches = record.spec().parentBatches();
    if (parents.isEmpty() && batches.isEmpty()) {
      if (record.status() == ExecutionStatus.WAITING) {
        throw new IllegalArgumentException("execution " + record.id() + " is WAITING without a"
            + " parent");
      }
      return new Admission(record, List.of());
    }
    if (record.status() != ExecutionStatus.WAITING) {
      throw new IllegalArgumentException("execution " + record.id() + " has parents, so it must"
          + " be created WAITING, was " + record.status());
    }
    if (parents.contains(record.id())) {
      throw new IllegalArgumentException("execution " + record.id() + " cannot wait for itself");
    }
    Map<ExecutionId, ExecutionStatus> found = parents.isEmpty() ? Map.of()
        : edges.lockParents(parents);
    // A set: a child may name a batch and one of its runs, which is still one edge.
    LinkedHashSet<ExecutionId> pending = new LinkedHashSet<>();
    for (ExecutionId parent : parents) {
      ExecutionStatus status = found.get(parent);
      if (status == null) {
        throw new NotFoundException("no execution " + parent + " to wait for",
            "run `rgrid list` to see the known executions");
      }
      if (status.isTerminal() && status != ExecutionStatus.SUCCEEDED) {
        return new Admission(skipped(record, null, parent, status, record.createdAt()),
            List.of());
      }
      if (!status.isTerminal()) {
        pending.add(parent);
      }
    }
    for (BatchId batch : batches) {
      BatchRuns runs = edges.lockBatch(batch);
      if (runs == null) {
        throw new NotFoundException("no batch " + batch + " to wait for",
            "run `rgrid list --batches` to see the known batches");
      }
      if (runs.latest().size() < runs.size()) {
        throw new ConflictException("batch " + batch + " has " + runs.latest().size() + " of its "
            + runs.size() + " runs stored: it is still being submitted, or some of its inputs"
            + " could not be", "wait for it only once its submission has returned");
      }
      for (Map.Entry<ExecutionId, ExecutionStatus> run : runs.latest().entrySet()) {
        ExecutionStatus status = run.getValue();
        if (status.isTerminal() && status != ExecutionStatus.SUCCEEDED) {
          return new Admission(skipped(record, batch, run.getKey(), status, record.createdAt()),
              List.of());
        }
        if (!status.isTerminal()) {
          pending.add(run.getKey());
        }
      }
    }
    return pending.isEmpty()
        ? new Admission(record.toBuilder().transition(ExecutionStatus.QUEUED,
            record.createdAt()).build(), List.of())
        : new Admission(record, List.copyOf(pending));
  }

  /** Writes the edges of a child whose row {@code admission} was just written. */
  public static <X extends Exception> void recordEdges(Edges<X> edges, Admission admission)
      throws X {
    if (!admission.waitFor().isEmpty()) {
      edges.insert(admission.record().id(), admission.waitFor());
    }
  }

  /**
   * Releases the children of {@code ended}, just written in its final status by the caller's
   * transaction, and stops it waiting itself: see {@code ExecutionStore.update}.
   */
  public static <X extends Exception> void release(Edges<X> edges, ExecutionRecord ended)
      throws X {
    edges.deleteAll(ended.id()); // an execution that ends while waiting (cancelled) stops waiting
    Instant at = ended.finishedAt() != null ? ended.finishedAt() : ended.createdAt();
    Deque<ExecutionRecord> todo = new ArrayDeque<>();
    todo.add(ended);
    while (!todo.isEmpty()) {
      ExecutionRecord parent = todo.poll();
      for (ExecutionId child : new ArrayList<>(edges.children(parent.id()))) {
        // Locked before its edge goes: two parents ending at once then see each other's deletes,
        // so the last one always finds no parent left and releases the child.
        ExecutionRecord waiting = edges.lockRecord(child);
        edges.delete(child, parent.id());
        if (waiting.status() != ExecutionStatus.WAITING) {
          continue;
        }
        if (parent.status() == ExecutionStatus.SUCCEEDED) {
          BatchId expanded = parent.retriedBy() == null ? null : viaBatch(waiting, parent);
          if (expanded != null) {
            ExecutionRecord skipped = handOver(edges, waiting, expanded, at);
            if (skipped != null) {
              todo.add(skipped);
              continue;
            }
          }
          if (!edges.waitsStill(child)) {
            edges.write(waiting.toBuilder().transition(ExecutionStatus.QUEUED, at).build());
            edges.announceQueued(child);
          }
        } else {
          todo.add(skip(edges, waiting, viaBatch(waiting, parent), parent.id(),
              parent.status(), at));
        }
      }
    }
  }

  /**
   * Makes {@code child}, which waited for the expanded template of {@code batch}, wait for the
   * batch's latest runs not ended (those it already waits for, stored while the template was
   * expanding, are not added twice); skips it when one of them did not succeed.
   *
   * @return the skipped child, or {@code null} when it waits (or is released by the caller)
   */
  private static <X extends Exception> ExecutionRecord handOver(Edges<X> edges,
      ExecutionRecord child, BatchId batch, Instant at) throws X {
    BatchRuns runs = edges.lockBatch(batch);
    if (runs == null) {
      return null;
    }
    List<ExecutionId> pending = new ArrayList<>();
    for (Map.Entry<ExecutionId, ExecutionStatus> run : runs.latest().entrySet()) {
      ExecutionStatus status = run.getValue();
      if (status.isTerminal() && status != ExecutionStatus.SUCCEEDED) {
        return skip(edges, child, batch, run.getKey(), status, at);
      }
      if (!status.isTerminal()) {
        pending.add(run.getKey());
      }
    }
    if (!pending.isEmpty()) {
      edges.insert(child.id(), pending);
    }
    return null;
  }

  /** Ends waiting {@code child} {@code SKIPPED} because {@code parent} ended {@code status}. */
  private static <X extends Exception> ExecutionRecord skip(Edges<X> edges,
      ExecutionRecord child, BatchId batch, ExecutionId parent, ExecutionStatus status,
      Instant at) throws X {
    ExecutionRecord skipped = skipped(child, batch, parent, status, at);
    edges.write(skipped);
    edges.deleteAll(child.id());
    edges.removeQueueEntry(child.id());
    edges.announceEnded(child.id());
    return skipped;
  }

  /** The batch of {@code parent} when {@code child} waits for it as a whole, else null. */
  private static BatchId viaBatch(ExecutionRecord child, ExecutionRecord parent) {
    String batch = parent.spec().batchId();
    if (batch == null || !BatchId.isBatchId(batch)) {
      return null;
    }
    BatchId id = BatchId.of(batch);
    return child.spec().parentBatches().contains(id) ? id : null;
  }

  private static ExecutionRecord skipped(ExecutionRecord child, BatchId batch, ExecutionId parent,
      ExecutionStatus status, Instant at) {
    String message = batch == null ? "skipped: parent " + parent + " ended " + status
        : "skipped: parent batch " + batch + " did not succeed: its run " + parent + " ended "
            + status;
    return child.toBuilder().failure(new FailureReason(FailureKind.PARENT_FAILED, message,
        "see `rgrid status " + parent + "`; once it is fixed, submit this run again"))
        .transition(ExecutionStatus.SKIPPED, at).build();
  }
}
