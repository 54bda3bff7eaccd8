package dev.rgrid.core.scale;

import dev.rgrid.spi.scale.ScaledMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The autoscaler's decision, a pure function of the queue, the pool and the time: no clock, no
 * I/O, so a simulation can run a day of ticks in a second.
 *
 * <p>The queue needs the running executions' slots plus enough to drain the backlog within the
 * target wait ({@code waiting * typicalRun / targetWait} slots; one per waiting execution while no
 * run time is known), and at least one machine more than now while recent waits already exceed the
 * target. That many slots, in machines of {@link ScalePolicy#perWorker} slots, within the policy's
 * bounds, is what is needed. More machines are asked for at once. Machines are billed per started
 * hour, so stopping one early saves nothing of the hour already paid: {@link #billingHour} stops a
 * surplus machine only within {@link ScalePolicy#releaseWindow} of the end of its billed hour, and
 * keeps it (ready for the next burst) until then; {@link #everyTick} stops surplus at once, the
 * policy it is measured against.
 */
public final class ScalePlanner {
  /** Backlogs past this are sized as this: the bound keeps the arithmetic in a long. */
  private static final long MAX_BACKLOG = 1_000_000;

  private final ScalePolicy policy;
  private final boolean atHourEnd;

  private ScalePlanner(ScalePolicy policy, boolean atHourEnd) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.atHourEnd = atHourEnd;
  }

  /** Scales up at once, down only at the end of each surplus machine's billed hour. */
  public static ScalePlanner billingHour(ScalePolicy policy) {
    return new ScalePlanner(policy, true);
  }

  /** Scales up and down at once, whatever the machines' billed hours: the naive policy. */
  public static ScalePlanner everyTick(ScalePolicy policy) {
    return new ScalePlanner(policy, false);
  }

  /** The policy planned for. */
  public ScalePolicy policy() {
    return policy;
  }

  /** The machines the queue needs, before the policy's bounds (see the class comment). */
  public long wanted(QueueState queue, int current) {
    long backlog = Math.min(queue.waiting(), MAX_BACKLOG);
    long slots = Math.min(queue.running(), MAX_BACKLOG);
    if (backlog > 0) {
      long target = policy.targetWait().toNanos();
      long drain = queue.typicalRun()
          .filter(run -> run.toNanos() < target)
          // backlog * run < 10^6 * target: no overflow for targets up to about a day.
          .map(run -> Math.max(1, ceilDiv(backlog * run.toNanos(), target)))
          .orElse(backlog);
      slots += drain;
      if (queue.recentWaitP95().compareTo(policy.targetWait()) > 0) {
        slots = Math.max(slots, ((long) current + 1) * policy.perWorker());
      }
    }
    return ceilDiv(slots, policy.perWorker());
  }

  /**
   * Decides the replicas for this tick.
   *
   * @param queue the queue now
   * @param current the replicas the pool is told to run now
   * @param machines the pool's machines with their start times (the billed hours); a machine the
   *     pool counts but does not list yet is taken as just started
   * @param now the current time
   */
  public ScaleDecision decide(QueueState queue, int current, List<ScaledMachine> machines,
      Instant now) {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(machines, "machines");
    Objects.requireNonNull(now, "now");
    if (current < 0) {
      throw new IllegalArgumentException("current replicas cannot be negative: " + current);
    }
    long wanted = wanted(queue, current);
    int needed = (int) Math.max(policy.min(), Math.min(policy.max(), wanted));
    String basis = basis(queue, needed, current);
    if (needed > current) {
      ScaleReason reason = wanted > current ? ScaleReason.UP_FOR_BACKLOG : ScaleReason.UP_TO_MIN;
      return new ScaleDecision(current, needed, needed, reason, List.of(), basis);
    }
    if (needed == current) {
      return new ScaleDecision(current, needed, current, ScaleReason.STEADY, List.of(), basis);
    }
    List<ScaledMachine> byHourEnd = new ArrayList<>(machines);
    byHourEnd.sort(Comparator.comparing((ScaledMachine m) -> leftOfHour(m, now))
        .thenComparing(ScaledMachine::id));
    if (current > policy.max()) {
      // The bound is the operator's: it holds at once; any further surplus waits its turn.
      return down(current, needed, ScaleReason.DOWN_TO_MAX, byHourEnd, current - policy.max(),
          basis + "; above the maximum of " + policy.max());
    }
    int surplus = current - needed;
    if (!atHourEnd) {
      return down(current, needed, ScaleReason.DOWN_AT_ONCE, byHourEnd, surplus,
          basis + "; " + surplus + " surplus stopped at once");
    }
    List<ScaledMachine> due = byHourEnd.stream()
        .filter(m -> leftOfHour(m, now).compareTo(policy.releaseWindow()) <= 0).toList();
    if (due.isEmpty()) {
      String next = byHourEnd.isEmpty() ? "no machine listed yet"
          : "the next hour ends in " + seconds(leftOfHour(byHourEnd.get(0), now));
      return new ScaleDecision(current, needed, current, ScaleReason.HOLD_PAID_HOUR, List.of(),
          basis + "; " + surplus + " surplus kept: their hour is paid (" + next + ")");
    }
    int stop = Math.min(surplus, due.size());
    return down(current, needed, ScaleReason.DOWN_AT_HOUR_END, due, stop,
        basis + "; " + stop + " of " + surplus + " surplus stopped within "
            + seconds(policy.releaseWindow()) + " of their billed hour's end");
  }

  /** How much of its current billed hour {@code machine} has left at {@code now}. */
  public static Duration leftOfHour(ScaledMachine machine, Instant now) {
    Duration age = Duration.between(machine.startedAt(), now);
    if (age.isNegative()) {
      return ScalePolicy.BILLING_HOUR;
    }
    long hour = ScalePolicy.BILLING_HOUR.toNanos();
    long into = Math.floorMod(age.toNanos(), hour);
    return Duration.ofNanos(hour - into);
  }

  private static ScaleDecision down(int current, int needed, ScaleReason reason,
      List<ScaledMachine> candidates, int count, String why) {
    List<String> retire = candidates.stream().limit(count).map(ScaledMachine::id).toList();
    return new ScaleDecision(current, needed, current - count, reason, retire, why);
  }

  private String basis(QueueState queue, int needed, int current) {
    return queue.waiting() + " waiting, " + queue.running() + " running, p95 wait "
        + seconds(queue.recentWaitP95()) + " (target " + seconds(policy.targetWait())
        + "), typical run " + queue.typicalRun().map(ScalePlanner::seconds).orElse("unknown")
        + ": needs " + needed + " machine(s) of " + policy.perWorker() + " slot(s), has "
        + current;
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + "s";
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
