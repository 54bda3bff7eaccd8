package dev.rgrid.core.scale;

import dev.rgrid.spi.scale.ScaledMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A day of a worker pool on a simulated clock, one step a second: executions arrive, wait in a
 * FIFO queue, run on machines that take {@link #startDelay} to boot and have {@code perWorker}
 * slots; the planner decides every {@link #tick}; machines are billed per started hour from their
 * start until they stop. A machine told to stop takes no more work and stops once its running
 * work ended (a worker's graceful stop). Everything is integer seconds: no wall clock is read.
 */
final class ClusterSimulation {
  static final Instant DAY = Instant.parse("2026-12-07T00:00:00Z");
  static final long HOUR = 3600;

  /** One execution: arrives at {@code arrive} (seconds into the day), runs {@code run} seconds. */
  record Job(long arrive, long run) {}

  /** What a policy cost over the day. */
  record Result(String policy, long machinesStarted, long billedHours, long costMicros,
      Duration p95Wait, double idleMachineHours, long jobs) {}

  private final long startDelay;
  private final long tick;
  private final long hourlyMicros;

  ClusterSimulation(Duration startDelay, Duration tick, long hourlyMicros) {
    this.startDelay = startDelay.toSeconds();
    this.tick = tick.toSeconds();
    this.hourlyMicros = hourlyMicros;
  }

  /**
   * A bursty working day from {@code seed}: a trickle all day (more in office hours) and a dozen
   * bursts of 60-240 executions each within 2-10 minutes; run times of 20 s to 40 min, about 4
   * minutes on average.
   */
  static List<Job> burstyDay(long seed) {
    Random random = new Random(seed);
    List<Job> jobs = new ArrayList<>();
    for (long t = 0; t < 24 * HOUR; t += 60) {
      boolean office = t >= 8 * HOUR && t < 18 * HOUR;
      double perMinute = office ? 0.5 : 0.1;
      if (random.nextDouble() < perMinute) {
        jobs.add(new Job(t + random.nextInt(60), runTime(random)));
      }
    }
    for (int b = 0; b < 12; b++) {
      long at = (long) (random.nextDouble() * 22 * HOUR);
      int count = 60 + random.nextInt(181);
      long spread = 120 + random.nextInt(481);
      for (int i = 0; i < count; i++) {
        jobs.add(new Job(at + random.nextInt((int) spread), runTime(random)));
      }
    }
    jobs.sort(Comparator.comparingLong(Job::arrive));
    return jobs;
  }

  private static long runTime(Random random) {
    long exp = (long) (-240 * Math.log(1 - random.nextDouble()));
    return Math.max(20, Math.min(40 * 60, exp));
  }

  /** Runs {@code jobs} under {@code planner} until the day is over and every job has ended. */
  Result run(String name, ScalePlanner planner, List<Job> jobs) {
    int perWorker = planner.policy().perWorker();
    List<Machine> live = new ArrayList<>();
    List<Machine> stopped = new ArrayList<>();
    Deque<Job> waiting = new ArrayDeque<>();
    List<Long> waits = new ArrayList<>(jobs.size());
    List<long[]> recentStarts = new ArrayList<>(); // {start time, wait}
    List<long[]> recentEnds = new ArrayList<>(); // {end time, run}
    int next = 0;
    int ids = 0;
    long started = 0;
    long t = 0;
    for (; t < 24 * HOUR || next < jobs.size() || !waiting.isEmpty() || busy(live); t++) {
      while (next < jobs.size() && jobs.get(next).arrive() <= t) {
        waiting.add(jobs.get(next++));
      }
      for (Machine m : live) {
        for (int i = m.ends.size() - 1; i >= 0; i--) {
          if (m.ends.get(i)[0] <= t) {
            recentEnds.add(new long[] {t, m.ends.get(i)[1]});
            m.ends.remove(i);
          }
        }
      }
      for (int i = live.size() - 1; i >= 0; i--) {
        Machine m = live.get(i);
        if (m.draining && m.ends.isEmpty()) {
          m.stop = t;
          stopped.add(live.remove(i));
        }
      }
      for (Machine m : live) {
        while (!m.draining && t >= m.start + startDelay && m.ends.size() < perWorker
            && !waiting.isEmpty()) {
          Job job = waiting.poll();
          long wait = t - job.arrive();
          waits.add(wait);
          recentStarts.add(new long[] {t, wait});
          m.ends.add(new long[] {t + job.run(), job.run()});
        }
      }
      if (t % tick == 0) {
        long now = t;
        recentStarts.removeIf(s -> s[0] < now - QueueReader.WAIT_WINDOW.toSeconds());
        recentEnds.removeIf(e -> e[0] < now - QueueReader.RUN_WINDOW.toSeconds());
        List<Duration> recentWaits = new ArrayList<>();
        recentStarts.forEach(s -> recentWaits.add(Duration.ofSeconds(s[1])));
        waiting.forEach(j -> recentWaits.add(Duration.ofSeconds(now - j.arrive())));
        Optional<Duration> typical = recentEnds.isEmpty() ? Optional.empty() : Optional.of(
            Duration.ofSeconds(recentEnds.stream().mapToLong(e -> e[1]).sum()
                / recentEnds.size()));
        long running = live.stream().mapToLong(m -> m.ends.size()).sum();
        QueueState state = new QueueState(waiting.size(), running, QueueReader.p95(recentWaits),
            typical);
        List<Machine> pool = live.stream().filter(m -> !m.draining).toList();
        List<ScaledMachine> listed = pool.stream()
            .map(m -> new ScaledMachine(m.id, DAY.plusSeconds(m.start))).toList();
        ScaleDecision d = planner.decide(state, pool.size(), listed, DAY.plusSeconds(t));
        for (int i = pool.size(); i < d.target(); i++) {
          live.add(new Machine("m" + ids++, t));
          started++;
        }
        for (String id : d.retire()) {
          live.stream().filter(m -> m.id.equals(id)).forEach(m -> m.draining = true);
        }
      }
      for (Machine m : live) {
        if (!m.ends.isEmpty()) {
          m.busySeconds++;
        }
      }
    }
    for (Machine m : live) {
      m.stop = t;
      stopped.add(m);
    }
    long billedHours = 0;
    long busy = 0;
    for (Machine m : stopped) {
      billedHours += Math.max(1, (m.stop - m.start + HOUR - 1) / HOUR);
      busy += m.busySeconds;
    }
    double idle = (billedHours * HOUR - busy) / (double) HOUR;
    List<Duration> all = waits.stream().map(Duration::ofSeconds).toList();
    return new Result(name, started, billedHours, Math.multiplyExact(billedHours, hourlyMicros),
        QueueReader.p95(all), idle, waits.size());
  }

  private static boolean busy(List<Machine> live) {
    return live.stream().anyMatch(m -> !m.ends.isEmpty());
  }

  /** A simulated machine: its start, its running work's {end, run} and its state. */
  private static final class Machine {
    final String id;
    final long start;
    final List<long[]> ends = new ArrayList<>();
    boolean draining;
    long stop;
    long busySeconds;

    Machine(String id, long start) {
      this.id = id;
      this.start = start;
    }
  }
}
