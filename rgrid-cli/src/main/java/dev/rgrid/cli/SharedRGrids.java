package dev.rgrid.cli;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.SpendingAlert;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent's RGrids: one per distinct {@link RGrids.Request}, built on first use and kept open
 * for every later command that asks the same (same configuration, runtime, workers, package
 * index and lease), so that those find the state open, the container pool warm and the
 * connections made. A command's {@code close()} of its RGrid leaves it open; {@link #close()}
 * closes them all when the agent exits. Built as a command's own process would build it ({@link
 * BaseCommand#build}), except that nobody hands work to another agent: this one adopts it. A
 * command that makes its process a worker of shared state gets its own, closed with it.
 */
final class SharedRGrids implements RGrids, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SharedRGrids.class);

  private final Map<Request, RGrid> open = new LinkedHashMap<>();
  private final Consumer<SpendingAlert> alerts;
  private boolean closed;

  /** The agent's RGrids, telling {@code alerts} when their spending crosses a threshold. */
  SharedRGrids(Consumer<SpendingAlert> alerts) {
    this.alerts = alerts;
  }

  @Override
  public RGrid open(Request request) {
    if (request.localWorker() && request.config().sharedState()) {
      // `--local-worker` on shared state makes this process one of the cluster's workers for the
      // command's duration: kept open, the agent would go on claiming the cluster's work (and
      // count as a live worker) for hours. Built and closed with the command, as in its own
      // process.
      return BaseCommand.build(request, false, alerts);
    }
    RGrid rgrid;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the agent is closing");
      }
      rgrid = open.get(request);
      if (rgrid == null) {
        rgrid = BaseCommand.build(request, false, alerts);
        open.put(request, rgrid);
      }
    }
    return unclosable(rgrid);
  }

  /** The agent itself runs it: an RGrid that adopts the work nobody owns is kept open. */
  @Override
  public void runInBackground(Request request) {
    open(new Request(request.config(), Math.max(2, request.workers()), request.engine(),
        request.pip(), false, request.lease(), request.connectTimeout()));
  }

  /**
   * Blocks until every embedded RGrid's workers have had nothing to run for {@code grace}
   * (detached work that is still running ends first).
   */
  void awaitIdle(Duration grace) throws InterruptedException {
    List<RGrid> all;
    synchronized (this) {
      all = new ArrayList<>(open.values());
    }
    for (RGrid r : all) {
      if (r instanceof LocalRGrid local) {
        local.awaitIdle(grace);
      }
    }
  }

  /** {@code rgrid} whose {@code close()} does nothing. */
  private static RGrid unclosable(RGrid rgrid) {
    return (RGrid) Proxy.newProxyInstance(RGrid.class.getClassLoader(),
        new Class<?>[] {RGrid.class}, (proxy, method, args) -> {
          if (isClose(method)) {
            return null;
          }
          if (method.getDeclaringClass() == Object.class && method.getName().equals("equals")) {
            return proxy == args[0];
          }
          try {
            return method.invoke(rgrid, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static boolean isClose(Method method) {
    return method.getName().equals("close") && method.getParameterCount() == 0;
  }

  @Override
  public void close() {
    List<RGrid> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(open.values());
      open.clear();
    }
    for (RGrid r : all) {
      try {
        r.close();
      } catch (RuntimeException e) {
        LOG.warn("closing an RGrid of the agent failed", e);
      }
    }
  }
}
