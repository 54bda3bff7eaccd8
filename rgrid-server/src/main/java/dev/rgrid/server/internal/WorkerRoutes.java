package dev.rgrid.server.internal;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.spi.queue.QueueDepth;
import dev.rgrid.spi.queue.WorkerStatus;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/workers}: the live workers of the server's queue and the queue's depth by
 * state, for the console's queue page. Workers and the queue are shared by every account, so
 * any key may read them; they show ids and counts only, never whose work is queued or running.
 */
public final class WorkerRoutes {
  /**
   * One live worker.
   *
   * @param id its id (an embedded worker's reads {@code local-<host>-<pid>-<random>})
   * @param lastHeartbeat when it last renewed its leases; null when an older version recorded it
   * @param aliveUntil when it counts as gone unless it renews
   * @param running how many executions it runs now
   */
  public record Worker(String id, Instant lastHeartbeat, Instant aliveUntil, int running) {
    static Worker of(WorkerStatus w) {
      return new Worker(w.id().value(), w.lastHeartbeat(), w.aliveUntil(), w.running());
    }
  }

  /**
   * The queue's entries by state.
   *
   * @param ready waiting, claimable now
   * @param delayed waiting, claimable later (a retry's backoff)
   * @param running held by a live worker
   * @param lapsed held by a worker whose lease lapsed: another will take it
   */
  public record Queue(long ready, long delayed, long running, long lapsed) {
    static Queue of(QueueDepth d) {
      return new Queue(d.ready(), d.delayed(), d.running(), d.lapsed());
    }
  }

  /** The answer: workers by id, and the queue. */
  public record View(List<Worker> workers, Queue queue) {}

  private final LocalRGrid rgrid;

  /** The routes over {@code rgrid}, the instance the server wraps. */
  public WorkerRoutes(LocalRGrid rgrid) {
    this.rgrid = rgrid;
  }

  /** GET: the live workers and the queue's depth by state (blocking). */
  public void list(RoutingContext ctx) {
    Auth.account(ctx);
    Json.send(ctx, 200, new View(rgrid.operations().workers().stream().map(Worker::of).toList(),
        Queue.of(rgrid.operations().queueDepth())));
  }
}
