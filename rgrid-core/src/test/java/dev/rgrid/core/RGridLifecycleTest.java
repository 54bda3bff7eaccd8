package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.StatusTransition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts, cancellation and work shared between RGrid instances on one state directory. */
class RGridLifecycleTest {
  @TempDir Path home;
  @TempDir Path src;

  static void within(Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + limit);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  Path script(String name, String code) throws Exception {
    return Files.writeString(src.resolve(name), code);
  }

  /** A script that prints the pid of a child it started, then sleeps. */
  Path sleeperWithChild() throws Exception {
    return script("sleeper.py", "import subprocess, sys, time\n"
        + "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        + "print(c.pid, flush=True)\ntime.sleep(600)\n");
  }

  static long childPid(Execution e) {
    within(Duration.ofSeconds(30), () -> !e.logs().isEmpty());
    return Long.parseLong(e.logs().get(0).text().trim());
  }

  static void assertGone(long pid) {
    within(Duration.ofSeconds(30), () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void killsAScriptAndItsChildrenAtTheTimeout() throws Exception {
    try (LocalRGrid rgrid = RGrid.builder().home(home).build()) {
      Execution e = rgrid.run(RunSpec.builder(sleeperWithChild())
          .timeout(Duration.ofSeconds(2)).build());
      long child = childPid(e);
      ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
      assertThat(done.failure().kind()).isEqualTo(FailureKind.TIMEOUT);
      assertThat(done.failure().message()).contains("2s");
      assertGone(child);
    }
  }

  @Test
  void cancelsARunningScriptAndItsChildren() throws Exception {
    try (LocalRGrid rgrid = RGrid.builder().home(home).build()) {
      Execution e = rgrid.run(RunSpec.builder(sleeperWithChild()).build());
      long child = childPid(e);
      assertThat(e.cancel()).isTrue();
      ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
      assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.CANCELLED);
      assertThat(e.cancel()).isFalse();
      assertGone(child);
      assertThat(done.transitions()).extracting(StatusTransition::status).containsExactly(
          ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.CANCELLED);
    }
  }

  @Test
  void cancelsAQueuedExecutionAtOnce() throws Exception {
    try (LocalRGrid submitOnly = RGrid.builder().home(home).workers(0).build()) {
      Execution e = submitOnly.run(RunSpec.builder(script("q.py", "print(1)\n")).build());
      assertThat(e.status()).isEqualTo(ExecutionStatus.QUEUED);
      assertThat(e.cancel()).isTrue();
      ExecutionRecord done = e.await(Duration.ofSeconds(5)).orElseThrow();
      assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.CANCELLED);
      assertThat(done.startedAt()).isNull();
    }
  }

  @Test
  void cancelsFromAnotherInstanceOnTheSameStateDirectory() throws Exception {
    try (LocalRGrid runner = RGrid.builder().home(home).build();
        LocalRGrid other = RGrid.builder().home(home).workers(0).build()) {
      Execution e = runner.run(RunSpec.builder(sleeperWithChild()).build());
      long child = childPid(e);
      assertThat(other.cancel(e.id())).isTrue();
      assertThat(e.await(Duration.ofSeconds(60)).orElseThrow().status())
          .isEqualTo(ExecutionStatus.CANCELLED);
      assertGone(child);
    }
  }

  @Test
  void eachInstanceRunsOnlyWhatItSubmittedWhileAlive() throws Exception {
    Path s = script("who.py", "print('ran')\n");
    try (LocalRGrid a = RGrid.builder().home(home).workerId(new WorkerId("worker-a")).build();
        LocalRGrid b = RGrid.builder().home(home).workerId(new WorkerId("worker-b")).build()) {
      for (int i = 0; i < 4; i++) {
        ExecutionRecord fromA = a.run(RunSpec.builder(s).cache(false).build()).await();
        ExecutionRecord fromB = b.run(RunSpec.builder(s).cache(false).build()).await();
        assertThat(fromA.workerId()).isEqualTo(new WorkerId("worker-a"));
        assertThat(fromB.workerId()).isEqualTo(new WorkerId("worker-b"));
      }
    }
  }

  @Test
  void runsDetachedWorkInWhicheverInstanceHasWorkers() throws Exception {
    Path s = script("later.py", "print('done later')\n");
    ExecutionId id;
    try (LocalRGrid submitter = RGrid.builder().home(home).workers(0).build()) {
      id = submitter.run(RunSpec.builder(s).build()).id();
    }
    try (LocalRGrid agent = RGrid.builder().home(home).build()) {
      agent.awaitIdle(Duration.ofMillis(300));
      ExecutionRecord done = agent.execution(id).record();
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(agent.logs(id, 0, 10)).extracting(LogLine::text).containsExactly("done later");
    }
  }

  @Test
  void givesTheWorkOfAnInstanceThatStoppedAnsweringToAnotherOne() throws Exception {
    // The healthy worker must never miss a lease itself, even on a loaded machine: its heartbeat
    // comes every lease/3, so the lease is long enough to absorb a stall of over a second.
    Path s = script("slow.py", "import time\nprint('start', flush=True)\ntime.sleep(3)\n"
        + "print('end')\n");
    Duration lease = Duration.ofMillis(1500);
    try (LocalRGrid healthy = RGrid.builder().home(home).lease(lease)
        .pollInterval(Duration.ofMillis(50)).workerId(new WorkerId("healthy")).build()) {
      // The same database, seen through a queue whose heartbeats never arrive: a hung worker.
      RGridBuilder hungBuilder = RGrid.builder().home(home).lease(lease)
          .workerId(new WorkerId("hung"));
      try (LocalRGrid probe = RGrid.builder().home(home).workers(0).build()) {
        assertThat(probe.list(dev.rgrid.spi.store.ExecutionQuery.latest(1)).items()).isEmpty();
      }
      dev.rgrid.core.internal.store.SqliteDatabase db =
          dev.rgrid.core.internal.store.SqliteDatabase.open(home.resolve("rgrid.db"));
      try (db; RGrid hung = hungBuilder.store(db.metadataStore())
          .queue(new NoHeartbeat(db.queue())).build()) {
        Execution e = hung.run(RunSpec.builder(s).build());
        ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
        assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.workerId()).isEqualTo(new WorkerId("healthy"));
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.transitions()).extracting(StatusTransition::status).containsExactly(
            ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.QUEUED,
            ExecutionStatus.RUNNING, ExecutionStatus.SUCCEEDED);
        assertThat(e.logs()).extracting(LogLine::text).endsWith("end");
      }
    }
  }

  @Test
  void aWorkerWhoseLeaseLapsedUnnoticedCannotEndTheAttemptThatTookOver() throws Exception {
    // The first attempt (on the stalled worker) fails after 4 s; the second (on the healthy worker,
    // once the lease lapsed at 1.5 s) succeeds after 6 s, so the first ends while the second runs.
    // Without fencing by attempt, the stalled worker's FAILED would overwrite the running second
    // attempt's record.
    Path marker = home.resolve("first-attempt-started");
    Path s = script("fenced.py", "import os, sys, time\nm = " + pyString(marker.toString())
        + "\nfirst = not os.path.exists(m)\nopen(m, 'a').close()\n"
        + "time.sleep(4 if first else 6)\nsys.exit(3 if first else 0)\n");
    Duration lease = Duration.ofMillis(1500);
    try (LocalRGrid healthy = RGrid.builder().home(home).lease(lease)
        .pollInterval(Duration.ofMillis(50)).workerId(new WorkerId("healthy")).build()) {
      dev.rgrid.core.internal.store.SqliteDatabase db =
          dev.rgrid.core.internal.store.SqliteDatabase.open(home.resolve("rgrid.db"));
      StalledHeartbeat stalled = new StalledHeartbeat(db.queue(),
          java.util.concurrent.ConcurrentHashMap.newKeySet(),
          new java.util.concurrent.atomic.AtomicBoolean());
      try (db; LocalRGrid worker = RGrid.builder().home(home).lease(lease)
          .workerId(new WorkerId("stalled")).store(db.metadataStore()).queue(stalled).build()) {
        Execution e = worker.run(RunSpec.builder(s).build());
        within(Duration.ofSeconds(60), () -> e.record().status().isTerminal());
        worker.awaitIdle(Duration.ofSeconds(30));
        ExecutionRecord done = e.record();
        assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.exitCode()).isZero();
        // On a loaded machine the healthy worker may itself lose and retake the lease once more:
        // what matters is that the stalled worker's FAILED never got in.
        assertThat(done.attempt()).isGreaterThanOrEqualTo(2);
        assertThat(done.workerId()).isEqualTo(new WorkerId("healthy"));
        assertThat(done.transitions()).extracting(StatusTransition::status)
            .doesNotContain(ExecutionStatus.FAILED).startsWith(ExecutionStatus.QUEUED,
                ExecutionStatus.RUNNING, ExecutionStatus.QUEUED)
            .endsWith(ExecutionStatus.RUNNING, ExecutionStatus.SUCCEEDED);
      }
    }
  }

  private static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /**
   * A queue whose renewals never reach the store while the worker believes they did, as in a
   * pause longer than the lease: its leases lapse without the worker noticing.
   */
  private record StalledHeartbeat(ExecutionQueue delegate, Set<ExecutionId> held,
      java.util.concurrent.atomic.AtomicBoolean claimed) implements ForwardingQueue {
    @Override
    public List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease) {
      if (claimed.get()) {
        return List.of(); // stalled after its first claim: it does not take its own work back
      }
      List<Claim> claims = delegate.claim(worker, max, now, lease);
      claims.forEach(c -> held.add(c.executionId()));
      claimed.set(!claims.isEmpty());
      return claims;
    }

    @Override
    public List<ExecutionId> renew(WorkerId worker, Instant now, Duration lease) {
      return List.copyOf(held);
    }

    @Override
    public boolean complete(ExecutionId id, WorkerId worker) {
      held.remove(id);
      return delegate.complete(id, worker);
    }

    @Override
    public boolean release(ExecutionId id, WorkerId worker, Instant notBefore) {
      held.remove(id);
      return delegate.release(id, worker, notBefore);
    }

    @Override
    public boolean retry(ExecutionId id, WorkerId worker, Instant notBefore, int attempt) {
      held.remove(id);
      return delegate.retry(id, worker, notBefore, attempt);
    }
  }

  /**
   * A queue seen by a worker that hangs after its first claim, or whose machine is cut off: its
   * renewals are lost and it claims nothing more. (Were it still claiming, it could take back its
   * own lapsed lease before the healthy worker does, a race the test is not about.)
   */
  private record NoHeartbeat(ExecutionQueue delegate,
      java.util.concurrent.atomic.AtomicBoolean claimed) implements ForwardingQueue {
    NoHeartbeat(ExecutionQueue delegate) {
      this(delegate, new java.util.concurrent.atomic.AtomicBoolean());
    }

    @Override
    public List<Claim> claim(WorkerId worker, int max, Instant now, Duration lease) {
      return claimed.get() ? List.of() : firstClaim(delegate.claim(worker, max, now, lease));
    }

    @Override
    public List<Claim> claimOwn(WorkerId worker, int max, Instant now, Duration lease) {
      return claimed.get() ? List.of() : firstClaim(delegate.claimOwn(worker, max, now, lease));
    }

    private List<Claim> firstClaim(List<Claim> claims) {
      if (!claims.isEmpty()) {
        claimed.set(true);
      }
      return claims;
    }

    @Override
    public List<ExecutionId> renew(WorkerId worker, Instant now, Duration lease) {
      return List.of();
    }
  }

  @Test
  void waitingWithATimeoutReturnsEmptyWhileItRuns() throws Exception {
    try (LocalRGrid rgrid = RGrid.builder().home(home).build()) {
      Execution e = rgrid.run(RunSpec.builder(sleeperWithChild()).build());
      childPid(e);
      Optional<ExecutionRecord> r = e.await(Duration.ofMillis(100));
      assertThat(r).isEmpty();
      e.cancel();
      assertThat(e.await(Duration.ofSeconds(60))).isPresent();
    }
  }
}
