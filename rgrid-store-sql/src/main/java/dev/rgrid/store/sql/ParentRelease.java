package dev.rgrid.store.sql;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules of runs that wait for others (see {@code ExecutionStore.create} and {@code update}),
 * the same on every SQL store: which status a new child is stored in, and what a parent's end
 * does to its waiting children. The store supplies the statements ({@link Edges}, throwing {@code
 * X}), all inside the transaction that creates the child or ends the parent, so a release is never
 * lost or done twice.
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

    /** Records that {@code child} waits for {@code parent}. */
    void insert(ExecutionId child, ExecutionId parent) throws X;

    /** The executions waiting for {@code parent}. */
    List<ExecutionId> children(ExecutionId parent) throws X;

    /** The record of {@code id}, locked against other writers until the commit. */
    ExecutionRecord lockRecord(ExecutionId id) throws X;

    /** Forgets that {@code child} waits for {@code parent}. */
    void delete(ExecutionId child, ExecutionId parent) throws X;

    /** Forgets every parent {@code child} waits for. */
    void deleteAll(ExecutionId child) throws X;

    /** How many parents {@code child} still waits for. */
    int remaining(ExecutionId child) throws X;

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
    if (parents.isEmpty()) {
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
    Map<ExecutionId, ExecutionStatus> found = edges.lockParents(parents);
    List<ExecutionId> pending = new ArrayList<>();
    for (ExecutionId parent : parents) {
      ExecutionStatus status = found.get(parent);
      if (status == null) {
        throw new NotFoundException("no execution " + parent + " to wait for",
            "run `rgrid list` to see the known executions");
      }
      if (status.isTerminal() && status != ExecutionStatus.SUCCEEDED) {
        return new Admission(skipped(record, parent, status, record.createdAt()), List.of());
      }
      if (!status.isTerminal()) {
        pending.add(parent);
      }
    }
    return pending.isEmpty()
        ? new Admission(record.toBuilder().transition(ExecutionStatus.QUEUED,
            record.createdAt()).build(), List.of())
        : new Admission(record, pending);
  }

  /** Writes the edges of a child whose row {@code admission} was just written. */
  public static <X extends Exception> void recordEdges(Edges<X> edges, Admission admission)
      throws X {
    for (ExecutionId parent : admission.waitFor()) {
      edges.insert(admission.record().id(), parent);
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
          if (edges.remaining(child) == 0) {
            edges.write(waiting.toBuilder().transition(ExecutionStatus.QUEUED, at).build());
            edges.announceQueued(child);
          }
        } else {
          ExecutionRecord skipped = skipped(waiting, parent.id(), parent.status(), at);
          edges.write(skipped);
          edges.deleteAll(child);
          edges.removeQueueEntry(child);
          edges.announceEnded(child);
          todo.add(skipped);
        }
      }
    }
  }

  private static ExecutionRecord skipped(ExecutionRecord child, ExecutionId parent,
      ExecutionStatus status, Instant at) {
    return child.toBuilder().failure(new FailureReason(FailureKind.PARENT_FAILED,
        "skipped: parent " + parent + " ended " + status,
        "see `rgrid status " + parent + "`; once it is fixed, submit this run again"))
        .transition(ExecutionStatus.SKIPPED, at).build();
  }
}
