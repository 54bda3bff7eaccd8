package dev.rgrid.core;

import dev.rgrid.core.internal.alert.WebhookDelivery;
import dev.rgrid.core.internal.engine.Engine;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.QueueDepth;
import dev.rgrid.spi.queue.WorkerStatus;
import java.util.List;

/**
 * The installation as an operator watches and steers it, over every account: the workers alive
 * on the queue, the queue by state, work nobody holds, and where alerts go. What {@link
 * LocalRGrid#operations()} returns to a server, a worker, the autoscaler and {@code rgrid admin};
 * not on the {@link RGrid} handle every caller gets, since none of it is scoped to one account.
 */
public final class Operations {
  private final Engine engine;
  private final Webhooks webhooks;
  private final WebhookDelivery delivery;

  Operations(Engine engine, Webhooks webhooks, WebhookDelivery delivery) {
    this.engine = engine;
    this.webhooks = webhooks;
    this.delivery = delivery;
  }

  /**
   * The workers alive on the queue (their heartbeat has not lapsed), this instance's own included
   * when it runs work: none means work submitted here waits until a worker starts.
   */
  public List<WorkerId> liveWorkers() {
    return engine.liveWorkers();
  }

  /**
   * The workers alive on the queue, by id, with each one's last heartbeat and how many
   * executions it runs now: what an operator's view of the cluster shows.
   */
  public List<WorkerStatus> workers() {
    return engine.workers();
  }

  /** The queue's entries by state now (ready, delayed, running, lapsed), over every account. */
  public QueueDepth queueDepth() {
    return engine.queueDepth();
  }

  /**
   * How many queued executions no live worker holds or reserves: submitted without workers, or
   * left behind by a process that died once its lease lapsed. An instance that does not adopt
   * work ({@link RGridBuilder#adoptsWork}) hands these to one that does.
   */
  public long unownedWork() {
    return engine.unownedWork();
  }

  /**
   * The webhooks alerts are posted to, per account and for the installation (what {@code rgrid
   * admin webhook} manages).
   */
  public Webhooks webhooks() {
    return webhooks;
  }

  /**
   * Starts posting the alerts in the shared outbox to their webhooks, as an instance with workers
   * does from the start: what a server without workers calls. It stops when the instance closes;
   * calling again does nothing.
   */
  public void deliverAlerts() {
    delivery.start();
  }
}
