package dev.rgrid.server.internal;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets the idempotency keys older than the window, once at start and then every hour, so the
 * store keeps about a window's worth of them. Lookups ignore expired keys on their own, so a
 * pruning that fails (the store is down) costs only space: it is logged and the next one runs as
 * planned. Every server instance prunes; a deletion repeated by another finds nothing left.
 */
public final class IdempotencyPruner {
  /** How often it prunes. */
  public static final Duration EVERY = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyPruner.class);

  private final Vertx vertx;
  private final AccountStore accounts;
  private final Clock clock;
  private final Duration window;
  private final AtomicBoolean running = new AtomicBoolean();

  /** Prunes {@code accounts} of keys older than {@code window} by {@code clock}. */
  public IdempotencyPruner(Vertx vertx, AccountStore accounts, Clock clock, Duration window) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.window = Objects.requireNonNull(window, "window");
  }

  /**
   * Prunes now and then every {@link #EVERY} on a Vert.x timer, until {@code vertx} closes.
   *
   * @return the first pruning (see {@link #prune()})
   */
  public Future<Integer> start() {
    Future<Integer> first = prune();
    vertx.setPeriodic(EVERY.toMillis(), id -> prune());
    return first;
  }

  /**
   * One pruning, on a worker thread: the blocking store call must not hold an event loop. A
   * pruning still running (a large backlog on a slow store) is not joined by another.
   *
   * @return how many keys it forgot (0 when one was still running); failed when the store
   *     failed, which is logged at WARN here
   */
  public Future<Integer> prune() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(0);
    }
    return vertx.executeBlocking(() -> {
      try {
        return accounts.pruneIdempotency(clock.instant().minus(window));
      } finally {
        running.set(false);
      }
    }, false).onSuccess(n -> {
      if (n > 0) {
        LOG.debug("forgot {} idempotency keys older than {}", n, window);
      }
    }).onFailure(e -> {
      String next = "the next try is in " + EVERY.toMinutes() + " min";
      if (e instanceof RGridException) { // the store's own account of what went wrong
        LOG.warn("pruning expired idempotency keys failed ({}): {}", next, e.getMessage());
      } else {
        LOG.warn("pruning expired idempotency keys failed ({})", next, e);
      }
    });
  }
}
