package dev.rgrid.core.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A day of bursty load (fixed seed) on a simulated clock, under three policies: the billing-hour
 * autoscaler, always the maximum, and scaling on every tick. Prints the table that
 * docs/benchmarks.md shows; asserts on the simulation's own numbers.
 */
class AutoscaleSimulationTest {
  private static final long SEED = 20;
  private static final int MAX = 20;
  private static final Duration TARGET = Duration.ofMinutes(5);
  private static final int PER_WORKER = 4;
  /** EUR 0.48 an hour per machine. */
  private static final long HOURLY = 480_000;

  @Test
  void theBillingHourPolicyCostsLessThanAlwaysMaxAndBillsFewerHoursThanScalingOnEveryTick() {
    List<ClusterSimulation.Job> day = ClusterSimulation.burstyDay(SEED);
    ClusterSimulation sim = new ClusterSimulation(Duration.ofSeconds(90), Duration.ofSeconds(30),
        HOURLY);
    ScalePolicy policy = ScalePolicy.of(0, MAX, TARGET, PER_WORKER);
    ClusterSimulation.Result billing = sim.run("billing hour (this autoscaler)",
        ScalePlanner.billingHour(policy), day);
    ClusterSimulation.Result always = sim.run("always max",
        ScalePlanner.billingHour(ScalePolicy.of(MAX, MAX, TARGET, PER_WORKER)), day);
    ClusterSimulation.Result everyTick = sim.run("scale on every tick",
        ScalePlanner.everyTick(policy), day);

    System.out.println(table(day.size(), List.of(billing, always, everyTick)));
    for (ClusterSimulation.Result r : List.of(billing, always, everyTick)) {
      assertThat(r.jobs()).as(r.policy() + " ran every job").isEqualTo(day.size());
    }
    assertThat(billing.costMicros()).isLessThan(always.costMicros());
    assertThat(billing.billedHours()).isLessThan(everyTick.billedHours());
    assertThat(billing.machinesStarted()).isLessThan(everyTick.machinesStarted());
    // Always-max never waits for a machine to boot: nothing waits longer there.
    assertThat(always.p95Wait()).isLessThanOrEqualTo(billing.p95Wait());
  }

  @Test
  void theSameSeedGivesTheSameDay() {
    assertThat(ClusterSimulation.burstyDay(SEED)).isEqualTo(ClusterSimulation.burstyDay(SEED));
    assertThat(ClusterSimulation.burstyDay(SEED)).isNotEqualTo(ClusterSimulation.burstyDay(21));
  }

  private static String table(int jobs, List<ClusterSimulation.Result> results) {
    StringBuilder out = new StringBuilder("A day of " + jobs + " executions (seed " + SEED
        + "), max " + MAX + " machines of " + PER_WORKER + " slots, target wait "
        + TARGET.toMinutes() + " min, EUR 0.48/h per machine\n\n"
        + "| policy | machines started | machine-hours billed | cost (EUR) | p95 queue wait "
        + "| idle machine-hours |\n|---|---:|---:|---:|---:|---:|\n");
    for (ClusterSimulation.Result r : results) {
      out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d.%06d | %d s | %.1f |%n",
          r.policy(), r.machinesStarted(), r.billedHours(), r.costMicros() / 1_000_000,
          r.costMicros() % 1_000_000, r.p95Wait().toSeconds(), r.idleMachineHours()));
    }
    return out.toString();
  }
}
