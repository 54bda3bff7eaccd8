package dev.rgrid.core.internal.worker;

import dev.rgrid.core.internal.cost.HourlyBilling;
import dev.rgrid.core.internal.execution.ExecutionRunner;
import dev.rgrid.core.internal.execution.LocalState;
import dev.rgrid.core.internal.execution.LostAttempts;
import dev.rgrid.core.internal.metrics.EngineMetrics;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process worker: claims work from the queue up to its number of slots, runs each claim on
 * its own thread, and renews its leases by heartbeat. Local submissions wake it at once; otherwise
 * it polls, which is how a pool that adopts work takes over what a process that died left behind.
 * A pool that does not adopt claims only the work reserved for it (see {@code
 * RGridBuilder.adoptsWork}).
 */
public final class WorkerPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration CLAIMER_STOP = Duration.ofSeconds(5);

  private final ExecutionQueue queue;
  private final Clock clock;
  private final LocalState local;
  private final ExecutionRunner runner;
  private final LostAttempts lostAttempts;
  private final HourlyBilling billing;
  private final WorkerSettings settings;
  private final EngineMetrics metrics;
  private final AtomicInteger active = new AtomicInteger();
  private final ExecutorService executions;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private final Condition beat = lock.newCondition();
  private final Thread claimer;
  private final Thread heartbeat;
  private volatile boolean closed;
  private volatile Instant lastBusy;
  private boolean woken;
  private AutoCloseable subscription = () -> { };
  /** Claims handed to a runner thread and not yet completed or given back. */
  private final Set<ExecutionId> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * The attempt of each claim this pool may still hold, so that one given back after it started
   * is given back as the next attempt: counted once, whoever runs it next. Pruned by the
   * heartbeat to the claims still held.
   */
  private final Map<ExecutionId, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
  /** Held by the claimer from a claim until its ids are in flight, and by the heartbeat. */
  private final ReentrantLock claiming = new ReentrantLock();

  /**
   * A pool claiming work from {@code queue} as {@code settings} say and running each claim with
   * {@code runner}; {@code lostAttempts} reads back what runs lost with a worker left behind, and
   * {@code billing} closes the billing hours (null when the worker is not billed per started
   * hour); its heartbeats are counted in {@code metrics}. {@link #start()} starts it.
   */
  public WorkerPool(ExecutionQueue queue, Clock clock, LocalState local, ExecutionRunner runner,
      LostAttempts lostAttempts, HourlyBilling billing, WorkerSettings settings,
      EngineMetrics metrics) {
    this.metrics = metrics;
    this.queue = queue;
    this.clock = clock;
    this.local = local;
    this.runner = runner;
    this.lostAttempts = lostAttempts;
    this.billing = billing;
    this.settings = settings;
    AtomicInteger n = new AtomicInteger();
    this.executions = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "rgrid-exec-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.lastBusy = clock.instant();
    this.claimer = new Thread(this::claimLoop, "rgrid-claimer");
    this.heartbeat = new Thread(this::heartbeatLoop, "rgrid-heartbeat");
    claimer.setDaemon(true);
    heartbeat.setDaemon(true);
  }

  /** Announces this worker on the queue and starts claiming. */
  public void start() {
    try {
      // Alive from the moment it is built: a client that asks next finds it (the heartbeat then
      // keeps it so; nothing is claimed yet, so nothing else is renewed).
      queue.renew(settings.id(), clock.instant(), settings.lease());
    } catch (RGridException e) {
      LOG.warn("could not announce worker {}: {}", settings.id(), e.getMessage());
    }
    // Before any claim: output read back from a lost attempt goes before the marker its next
    // claim writes.
    lostAttempts.reapLeftovers();
    // Work enqueued by other processes (when the queue can announce it) wakes the claimer at once.
    subscription = queue.subscribe(this::wake);
    claimer.start();
    heartbeat.start();
  }

  /** Tells the claimer that new work may be waiting. */
  public void wake() {
    lock.lock();
    try {
      woken = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void claimLoop() {
    Duration backoff = settings.pollInterval();
    while (!closed) {
      int free = settings.slots() - active.get();
      List<Claim> claims = List.of();
      if (free > 0) {
        claiming.lock();
        try {
          Instant now = clock.instant();
          claims = settings.adopts() ? queue.claim(settings.id(), free, now, settings.lease())
              : queue.claimOwn(settings.id(), free, now, settings.lease());
          claims.forEach(c -> {
            inFlight.add(c.executionId());
            attempts.put(c.executionId(), c.attempt());
          });
          backoff = settings.pollInterval();
        } catch (RGridException e) {
          LOG.warn("cannot claim work: {}", e.getMessage());
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF
              : backoff.multipliedBy(2);
        } finally {
          claiming.unlock();
        }
      }
      for (Claim claim : claims) {
        if (closed) {
          // Claimed while the pool was closing: nobody here will run it, so it goes back now
          // rather than stay held until its lease lapses (and count as a lost attempt).
          giveBack(claim);
          continue;
        }
        active.incrementAndGet();
        lastBusy = clock.instant();
        executions.execute(() -> {
          try {
            runner.run(claim);
          } catch (RGridException e) {
            // The end could not be handed to the queue (store unreachable): the heartbeat gives
            // the claim back once it can, so the execution is not left held by nobody.
            LOG.warn("could not finish {} in the queue: {}", claim.executionId(), e.getMessage());
          } catch (RuntimeException e) {
            LOG.error("unexpected failure running {}", claim.executionId(), e);
          } finally {
            inFlight.remove(claim.executionId());
            active.decrementAndGet();
            lastBusy = clock.instant();
            wake();
            signalIdle();
          }
        });
      }
      if (billing != null) {
        // Hours close as the clock passes them; checked as often as the queue is.
        try {
          billing.tick(clock.instant());
        } catch (RuntimeException e) {
          LOG.warn("closing billing hours failed: {}", e.getMessage());
        }
      }
      if (claims.isEmpty() || active.get() >= settings.slots()) {
        awaitWake(backoff);
      }
    }
  }

  /** Hands a claim that will not run here back to the queue, as it was. */
  private void giveBack(Claim claim) {
    try {
      queue.release(claim.executionId(), settings.id(), clock.instant());
    } catch (RGridException e) {
      LOG.warn("could not hand {} back to the queue ({}); it is taken over once its lease lapses",
          claim.executionId(), e.getMessage());
    } finally {
      inFlight.remove(claim.executionId());
    }
  }

  private void awaitWake(Duration max) {
    lock.lock();
    try {
      if (!woken && !closed) {
        wake.await(max.toMillis(), TimeUnit.MILLISECONDS);
      }
      woken = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  private void heartbeatLoop() {
    long every = Math.max(50, settings.lease().toMillis() / 3);
    while (!closed) {
      try {
        // Snapshot before renewing: a claim made after the renewal is rightly missing from it.
        Map<ExecutionId, LocalState.Running> before = Map.copyOf(local.allRunning());
        Set<ExecutionId> held;
        Set<ExecutionId> orphans = new HashSet<>();
        claiming.lock();
        try {
          // In flight before the renewal: a runner that completes its claim meanwhile is still
          // in this set, so it is not mistaken for an orphan (claims cannot start meanwhile:
          // they take the same lock).
          Set<ExecutionId> flying = Set.copyOf(inFlight);
          held = new HashSet<>(queue.renew(settings.id(), clock.instant(),
              settings.lease()));
          metrics.heartbeat(settings.id(), clock.instant(), clock);
          for (ExecutionId id : held) {
            if (!flying.contains(id)) {
              orphans.add(id);
            }
          }
          attempts.keySet().removeIf(id -> !held.contains(id) && !flying.contains(id));
        } finally {
          claiming.unlock();
        }
        before.forEach((id, running) -> {
          if (!held.contains(id)) {
            // Our lease lapsed and another worker took the claim over: stop our copy.
            running.lose("its lease lapsed and another worker took it over");
          }
        });
        for (ExecutionId id : orphans) {
          // Held in the queue but run by no thread here: its runner could not complete or give
          // it back (the store was down). Give it back now; whoever claims it finds its record
          // ended (and completes it) or still running (and runs it again as the next attempt).
          LOG.warn("handing {} back to the queue: its end could not be recorded earlier", id);
          giveBackStarted(id);
        }
      } catch (RGridException e) {
        LOG.warn("heartbeat failed: {}", e.getMessage());
      }

      lock.lock();
      try {
        // Its own condition: runners ending signal `idle` often, and a heartbeat per ended
        // execution would renew every lease far more often than needed.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(every);
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
          beat.awaitNanos(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Gives back a claim whose attempt may have started here: as the next attempt, so the attempt
   * lost here is counted once, whoever claims it next (a plain release would let the next claim
   * run the same attempt again, and every later one too).
   */
  private void giveBackStarted(ExecutionId id) {
    Integer attempt = attempts.remove(id);
    Instant now = clock.instant();
    if (attempt == null) {
      queue.release(id, settings.id(), now);
    } else {
      queue.retry(id, settings.id(), now, attempt + 1);
    }
  }

  private void signalIdle() {
    lock.lock();
    try {
      idle.signalAll();
      if (closed) {
        beat.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** How many executions this pool runs now. */
  int active() {
    return active.get();
  }

  /**
   * Blocks until the pool has had nothing to run for {@code grace} (used by the background process
   * that runs detached work).
   */
  public void awaitIdle(Duration grace) throws InterruptedException {
    while (!closed) {
      Instant now = clock.instant();
      if (active.get() == 0 && queue.depth() == 0
          && Duration.between(lastBusy, now).compareTo(grace) >= 0) {
        return;
      }
      lock.lock();
      try {
        idle.await(Math.min(grace.toMillis(), 200), TimeUnit.MILLISECONDS);
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Stops claiming, waits up to the close grace of its settings for running executions to end,
   * then kills the rest and gives them back to the queue so another process runs them again.
   */
  @Override
  public void close() {
    Duration grace = settings.closeGrace();
    closed = true;
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.debug("closing the queue subscription failed", e);
    }
    wake();
    signalIdle();
    try {
      // The claimer first: it may be handing claims to the executor right now, and an executor
      // shut down under it would refuse them. Once it has stopped, nothing submits any more.
      claimer.join(CLAIMER_STOP.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (claimer.isAlive()) {
      // Stuck in a store call: whatever it claims after this sees `closed` and gives it back.
      LOG.warn("the claimer did not stop within {}; closing without it", CLAIMER_STOP);
    }
    executions.shutdown();
    try {
      if (!executions.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        for (Map.Entry<ExecutionId, LocalState.Running> e : local.allRunning().entrySet()) {
          e.getValue().lose("this process is closing; it runs again as the next attempt");
          giveBackStarted(e.getKey());
        }
        executions.awaitTermination(30, TimeUnit.SECONDS);
      }
      runner.close(); // only workspaces given back: one still in use is removed by its runner
      heartbeat.join(5_000);
      try {
        // After the last heartbeat: clients stop counting on this worker at once.
        queue.leave(settings.id());
      } catch (RGridException e) {
        LOG.warn("could not withdraw worker {}: {}", settings.id(), e.getMessage());
      }
      if (billing != null) {
        try {
          billing.terminate(clock.instant());
        } catch (RuntimeException e) {
          LOG.warn("closing the last billing hour failed: {}", e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** This pool's worker: the one the work submitted beside it is reserved for. */
  public WorkerId workerId() {
    return settings.id();
  }

}
